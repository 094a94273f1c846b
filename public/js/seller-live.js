// The seller portal, live: listens to the seller's Server-Sent Events and, when one of their
// sales or payouts changes, fetches the page's live part (the same markup as the first load)
// and swaps it in. Without JavaScript the page is as it was loaded; a reload shows what is new.
'use strict';
(function () {
  var box = document.getElementById('seller-live');
  if (!box || !box.getAttribute('data-events') || !window.EventSource) return;
  var opened = false;
  // Fragments are fetched one after another, so a slow early answer never replaces a later one.
  var queue = Promise.resolve();
  function refresh() {
    return fetch(box.getAttribute('data-fragment'), { headers: { Accept: 'text/html' }, credentials: 'same-origin' })
      .then(function (r) {
        // Sent to the sign-in page (the session ended): show it as a page, not inside this one.
        if (r.redirected) {
          location.reload();
          throw new Error('signed out');
        }
        if (!r.ok) throw new Error('status ' + r.status);
        return r.text();
      })
      .then(function (html) { box.innerHTML = html; })
      .catch(function () { /* the next change tries again */ });
  }
  var source = new EventSource(box.getAttribute('data-events'));
  source.onmessage = function () {
    // The first message only says the stream is open, and the page was just loaded. After a
    // reconnect the stream's first message does refresh: something may have changed meanwhile.
    if (!opened) {
      opened = true;
      return;
    }
    queue = queue.then(refresh);
  };
})();
