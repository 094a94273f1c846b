// The order list, live: watches the orders on screen and updates each one's status in place.
'use strict';
(function () {
  var rows = document.querySelectorAll('tr[data-order]');
  if (!rows.length || !window.EventSource) return;
  var byId = new Map();
  rows.forEach(function (row) { byId.set(row.getAttribute('data-order'), row); });
  var ids = Array.from(byId.keys());
  var source = new EventSource('/admin/orders/live?ids=' + ids.join(','));
  source.onmessage = function (event) {
    var change = JSON.parse(event.data);
    var row = byId.get(change.id);
    var badge = row && row.querySelector('[data-live-status]');
    if (!badge) return;
    badge.textContent = change.statusWord;
    badge.className = 'badge badge-' + change.status;
  };
})();
