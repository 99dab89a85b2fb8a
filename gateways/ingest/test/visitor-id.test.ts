import { VisitorHasher } from '../src/visitor-id';

describe('VisitorHasher', () => {
  const h = new VisitorHasher('0123456789abcdef0123');
  const noon = Date.UTC(2026, 5, 1, 12);

  it('is stable within a UTC day, changes at midnight, and depends on every input', () => {
    const a = h.ids(noon, 's1', '203.0.113.0/24', 'UA');
    expect(a.visitorId).toMatch(/^[0-9a-f]{64}$/);
    expect(h.ids(noon + 3600_000, 's1', '203.0.113.0/24', 'UA').visitorId).toBe(a.visitorId);
    expect(h.ids(noon + 12 * 3600_000, 's1', '203.0.113.0/24', 'UA').visitorId).not.toBe(a.visitorId);
    expect(h.ids(noon, 's2', '203.0.113.0/24', 'UA').visitorId).not.toBe(a.visitorId);
    expect(h.ids(noon, 's1', '203.0.114.0/24', 'UA').visitorId).not.toBe(a.visitorId);
    expect(h.ids(noon, 's1', '203.0.113.0/24', 'UA2').visitorId).not.toBe(a.visitorId);
    expect(new VisitorHasher('another-secret-0123').ids(noon, 's1', '203.0.113.0/24', 'UA').visitorId).not.toBe(a.visitorId);
  });

  it("keeps yesterday's id for the first half hour of a day only", () => {
    const before = h.ids(Date.UTC(2026, 5, 1, 23, 50), 's1', 'ip', 'UA');
    const after = h.ids(Date.UTC(2026, 5, 2, 0, 20), 's1', 'ip', 'UA');
    expect(after.previousVisitorId).toBe(before.visitorId);
    expect(after.visitorId).not.toBe(before.visitorId);
    expect(h.ids(Date.UTC(2026, 5, 2, 0, 31), 's1', 'ip', 'UA').previousVisitorId).toBeNull();
  });
});
