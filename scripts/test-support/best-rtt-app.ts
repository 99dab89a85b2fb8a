/** The realistic app of the docs: best rtt among providers above an availability floor. */
export const bestRttSource = `
function init(config) {
  floor = (config.settings && config.settings.availabilityFloor) || 0.8;
}
var floor;
function onRequest(request, response) {
  var best = null;
  for (var i = 0; i < request.providers.length; i++) {
    var p = request.providers[i];
    var s = request.scores[p.id];
    if (!s || s.availability === null || s.availability < floor || s.rttP50 === null) continue;
    if (best === null || s.rttP50 < request.scores[best].rttP50) best = p.id;
  }
  if (best === null) {
    response.respond('origin');
    response.setReasonCode('no_scores');
    return;
  }
  response.respond(best);
  response.setTTL(30);
  response.setReasonCode('best_rtt');
}
`;
