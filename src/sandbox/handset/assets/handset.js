// The sandbox handset's behaviour: list the requests waiting on an MSISDN, count down, and
// approve with a PIN or reject, through the handset JSON API. Served as a file (no inline script).
'use strict';
(function () {
  var api = document.body.getAttribute('data-api');
  var input = document.getElementById('msisdn');
  var list = document.getElementById('requests');
  var known = document.getElementById('known');
  var hint = document.getElementById('known-hint');
  var template = document.getElementById('request-template');
  var shown = new Map();
  var current = input.value.trim();

  function post(path, body) {
    return fetch(api + path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body || {}),
    }).then(function (r) { return r.json().then(function (data) { return { status: r.status, data: data }; }); });
  }

  function empty(text) {
    list.textContent = '';
    var p = document.createElement('p');
    p.className = 'empty';
    p.textContent = text;
    list.appendChild(p);
  }

  function render(requests) {
    var ids = new Set(requests.map(function (r) { return r.referenceId; }));
    shown.forEach(function (entry, id) {
      if (!ids.has(id) && !entry.answered) { entry.node.remove(); shown.delete(id); }
    });
    requests.forEach(function (r) {
      // The sandbox clock may have been advanced: trust its secondsLeft over the local clock.
      if (shown.has(r.referenceId)) { shown.get(r.referenceId).deadline = Date.now() + r.secondsLeft * 1000; return; }
      var node = template.content.firstElementChild.cloneNode(true);
      node.querySelector('.note').textContent = r.payeeNote || 'Payment request';
      node.querySelector('.value').textContent = r.amount;
      node.querySelector('.currency').textContent = r.currency;
      node.querySelector('.message').textContent = r.payerMessage || '';
      var entry = { node: node, deadline: Date.now() + r.secondsLeft * 1000, answered: false };
      var form = node.querySelector('form');
      var result = node.querySelector('.result');
      function finish(outcome) {
        entry.answered = true;
        form.hidden = true;
        node.querySelector('.countdown').hidden = true;
        result.hidden = false;
        if (outcome.status === 200) {
          result.textContent = outcome.data.status === 'SUCCESSFUL' ? 'Approved: payment sent.' : 'Failed: ' + outcome.data.reason;
          result.className = 'result ' + (outcome.data.status === 'SUCCESSFUL' ? 'success' : 'failure');
        } else {
          result.textContent = outcome.data.error || 'Something went wrong.';
          result.className = 'result failure';
        }
      }
      form.addEventListener('submit', function (event) {
        event.preventDefault();
        var pin = form.elements.namedItem('pin').value;
        post('/requests/' + encodeURIComponent(r.referenceId) + '/approve', { pin: pin }).then(finish);
      });
      node.querySelector('.reject').addEventListener('click', function () {
        post('/requests/' + encodeURIComponent(r.referenceId) + '/reject').then(finish);
      });
      shown.set(r.referenceId, entry);
      list.appendChild(node);
    });
    if (shown.size === 0) empty('No requests are waiting on ' + current + '.');
    else { var e = list.querySelector('.empty'); if (e) e.remove(); }
    tick();
  }

  function tick() {
    shown.forEach(function (entry) {
      if (entry.answered) return;
      var left = Math.max(0, Math.ceil((entry.deadline - Date.now()) / 1000));
      entry.node.querySelector('.seconds').textContent = String(left);
    });
  }

  function refresh() {
    if (current) {
      fetch(api + '/pending?msisdn=' + encodeURIComponent(current))
        .then(function (r) { return r.json(); })
        .then(function (data) { render(data.requests || []); })
        .catch(function () { empty('The sandbox does not answer.'); });
    }
    fetch(api + '/msisdns')
      .then(function (r) { return r.json(); })
      .then(function (data) {
        known.textContent = '';
        data.msisdns.forEach(function (m) {
          var option = document.createElement('option');
          option.value = m.msisdn;
          option.label = m.pending + ' waiting';
          known.appendChild(option);
        });
        hint.textContent = data.msisdns.length
          ? 'Waiting: ' + data.msisdns.map(function (m) { return m.msisdn + ' (' + m.pending + ')'; }).join(', ')
          : 'No number has a request waiting.';
      })
      .catch(function () { hint.textContent = ''; });
  }

  document.getElementById('pick').addEventListener('submit', function (event) {
    event.preventDefault();
    current = input.value.trim();
    shown.clear();
    list.textContent = '';
    history.replaceState(null, '', '?msisdn=' + encodeURIComponent(current));
    refresh();
  });

  refresh();
  setInterval(refresh, 2000);
  setInterval(tick, 1000);
})();
