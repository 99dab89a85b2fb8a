// Route to the fastest provider among those available enough; origin otherwise.
var floor;

function init(config) {
  floor = config.settings.availabilityFloor;
}

function onRequest(request, response) {
  var best = null;
  request.providers.forEach(function (p) {
    var s = request.scores[p.id];
    if (!s || s.availability === null || s.rttP50 === null || s.availability < floor) return;
    if (best === null || s.rttP50 < request.scores[best].rttP50) best = p.id;
  });
  if (best === null) {
    response.respond('origin');
    response.setReasonCode('no_scores');
    return;
  }
  // A customer-pushed override wins (custom data "overrides": {country: provider}).
  var override = request.data.overrides && request.data.overrides[request.client.country];
  if (override) {
    response.respond(override);
    response.setReasonCode('override');
    return;
  }
  response.respond(best);
  response.setTTL(30);
  response.setReasonCode('best_rtt');
}
