// An order in the console, live: listens to the order's Server-Sent Events (the same stream
// the shopper's page uses) and, when the order changes, swaps in the live part the server
// renders, so an operator sees a retried payout settle, or a refund land, without reloading.
'use strict';
(function () {
  var box = document.getElementById('order-live');
  if (!box || !window.EventSource) return;
  var shown = box.querySelector('[data-status]');
  if (shown && shown.getAttribute('data-final') === 'true') return;

  var queue = Promise.resolve();
  var last = '';
  var source = new EventSource(box.getAttribute('data-events'));
  source.onmessage = function (event) {
    var order = JSON.parse(event.data);
    var refunds = (order.refunds || []).map(function (r) { return r.status; }).join(',');
    var signature = order.status + '/' + order.payment.status + '/' + (order.payout ? order.payout.status + '/' + order.payout.attempts : '') + '/' + refunds + '/' + order.refundOpen;
    // A refund still to land keeps the page listening, so it is seen to arrive.
    if (['settled', 'failed', 'payout_failed'].indexOf(order.status) >= 0 && !order.refundOpen) source.close();
    if (signature === last) return;
    last = signature;
    // One fetch after another, so a slow early answer never replaces a later one.
    queue = queue.then(function () {
      return fetch(box.getAttribute('data-fragment'), { headers: { Accept: 'text/html' }, credentials: 'same-origin' })
        .then(function (r) { if (!r.ok) throw new Error('status ' + r.status); return r.text(); })
        .then(function (html) { box.innerHTML = html; })
        .catch(function () { /* the next event tries again */ });
    });
  };
})();
