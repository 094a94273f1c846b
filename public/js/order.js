// The order page, live: listens to the order's Server-Sent Events and, when the order changes,
// swaps in the status fragment the server renders (the same markup as the first load), so the
// shopper sees "paid" without reloading. Without JavaScript a <noscript> refresh does the job.
'use strict';
(function () {
  var box = document.getElementById('order-status');
  if (!box) return;
  var timer = null;

  function current() { return box.querySelector('[data-stage]'); }

  function pad(n) { return n < 10 ? '0' + n : String(n); }

  function startCountdown() {
    clearInterval(timer);
    var node = box.querySelector('.countdown');
    if (!node) return;
    var shown = node.querySelector('.countdown-time');
    var deadline = Date.now() + Number(node.getAttribute('data-seconds-left')) * 1000;
    function tick() {
      var left = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
      shown.textContent = Math.floor(left / 60) + ':' + pad(left % 60);
      if (left === 0) {
        clearInterval(timer);
        node.textContent = 'Time is up. Waiting for MoMo to confirm…';
      }
    }
    tick();
    timer = setInterval(tick, 1000);
  }

  function signature(order) {
    var refunds = (order.refunds || []).map(function (r) { return r.status; }).join(',');
    return order.status + '/' + order.payment.status + '/' + (order.payout ? order.payout.status : '') + '/' + order.stuck + (refunds ? '/' + refunds : '');
  }

  function refresh() {
    return fetch(box.getAttribute('data-fragment'), { headers: { Accept: 'text/html' }, credentials: 'same-origin' })
      .then(function (r) { if (!r.ok) throw new Error('status ' + r.status); return r.text(); })
      .then(function (html) {
        box.innerHTML = html;
        startCountdown();
      });
  }

  startCountdown();
  if (current() && current().getAttribute('data-final') === 'true') return;
  if (!window.EventSource) {
    setTimeout(function () { location.reload(); }, 5000);
    return;
  }

  // Fragments are fetched one after another, so a slow early answer never replaces a later one.
  var queue = Promise.resolve();
  var source = new EventSource(box.getAttribute('data-events'));
  source.onmessage = function (event) {
    var order = JSON.parse(event.data);
    // A refund still to land keeps the stream open until the money is back.
    var final = ['settled', 'failed', 'payout_failed'].indexOf(order.status) >= 0 && !order.refundOpen;
    // The server ends the stream once the order is final; closing here stops the reconnect.
    if (final) source.close();
    queue = queue.then(function () {
      var shown = current();
      if (shown && shown.getAttribute('data-signature') === signature(order)) return undefined;
      return refresh().catch(function () { if (final) location.reload(); });
    });
  };
})();
