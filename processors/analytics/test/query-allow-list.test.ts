import { allowListQuery, allowListUrl, queryParam } from '../src';

describe('query allow-list', () => {
  it('keeps only utm_source from ?email=…&utm_source=x', () => {
    expect(allowListQuery('email=jane%40example.com&utm_source=x')).toBe('utm_source=x');
    expect(allowListUrl('https://example.com/a?email=jane%40example.com&utm_source=x')).toBe('https://example.com/a?utm_source=x');
  });

  it('keeps every utm_* parameter, ref and source, in their order and spelling', () => {
    expect(allowListQuery('?utm_medium=social&id=7&ref=hn&utm_campaign=Spring%20Sale&source=nl&name=Jane')).toBe('utm_medium=social&ref=hn&utm_campaign=Spring%20Sale&source=nl');
  });

  it('matches names case-insensitively and after percent-decoding', () => {
    expect(allowListQuery('UTM_Source=a&%75tm_term=b&Ref=c')).toBe('UTM_Source=a&%75tm_term=b&Ref=c');
  });

  it('keeps the parameters a site configures', () => {
    expect(allowListQuery('lang=de&session=abc&page=2', ['lang', 'PAGE'])).toBe('lang=de&page=2');
  });

  it('drops names that do not decode, empty pairs, and everything when nothing is allowed', () => {
    expect(allowListQuery('%E0%A4%A=1&&utm_source=x&')).toBe('utm_source=x');
    expect(allowListQuery('token=1&user=2')).toBe('');
    expect(allowListQuery(null)).toBe('');
    expect(allowListQuery('?')).toBe('');
  });

  it('keeps bare flags that are allowed and repeated names', () => {
    expect(allowListQuery('ref&utm_source=a&utm_source=b&x')).toBe('ref&utm_source=a&utm_source=b');
  });

  it('removes the query entirely and the fragment from URLs', () => {
    expect(allowListUrl('https://example.com/p?email=x#top')).toBe('https://example.com/p');
    expect(allowListUrl('https://example.com/p')).toBe('https://example.com/p');
  });

  it('reads a decoded parameter value', () => {
    expect(queryParam('utm_campaign=Spring+Sale%21&ref=', 'UTM_CAMPAIGN')).toBe('Spring Sale!');
    expect(queryParam('ref=', 'ref')).toBeNull();
    expect(queryParam('', 'ref')).toBeNull();
  });
});
