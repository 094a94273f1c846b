// The sandbox handset's behaviour for one number: list the requests waiting on it, count down,
// approve with a PIN or reject through the handset JSON API, and keep its balance and messages
// current. Served as a file (no inline script). Without a number the page is only a form.
'use strict';
(function () {
  var api = document.body.getAttribute('data-api');
  var msisdn = document.body.getAttribute('data-msisdn');
  if (!msisdn) return;
  var list = document.getElementById('requests');
  var template = document.getElementById('request-template');
  var smsTemplate = document.getElementById('sms-template');
  var balances = document.getElementById('balances');
  var messages = document.getElementById('messages');
  var noMessages = document.getElementById('no-messages');
  var PIN = /^[0-9]{4,6}$/;
  var shown = new Map();

  function post(path, body) {
    return fetch(api + path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body || {}),
    }).then(function (r) { return r.json().then(function (data) { return { status: r.status, data: data }; }); });
  }

  function empty(text) {
    var p = list.querySelector('.empty');
    if (!p) {
      p = document.createElement('p');
      p.className = 'empty';
      list.appendChild(p);
    }
    p.textContent = text;
  }

  // The answer replaces the prompt: amount, PIN box and buttons go, the outcome stays in words.
  function finish(entry, outcome) {
    entry.answered = true;
    var result = document.createElement('p');
    result.setAttribute('role', 'status');
    if (outcome.status === 200) {
      result.className = 'result ' + (outcome.data.status === 'SUCCESSFUL' ? 'success' : 'failure');
      result.textContent = outcome.data.message;
    } else {
      result.className = 'result failure';
      result.textContent = outcome.data.error || 'Something went wrong.';
    }
    entry.node.textContent = '';
    entry.node.appendChild(result);
    refreshWallet();
  }

  function add(r) {
    var node = template.content.firstElementChild.cloneNode(true);
    node.querySelector('.note').textContent = r.payeeNote || 'Payment request';
    node.querySelector('.value').textContent = r.amount;
    node.querySelector('.currency').textContent = r.currency;
    node.querySelector('.message').textContent = r.payerMessage || '';
    var entry = { node: node, deadline: Date.now() + r.secondsLeft * 1000, answered: false };
    var form = node.querySelector('form');
    var pin = form.elements.namedItem('pin');
    var pinError = node.querySelector('.pin-error');
    var buttons = node.querySelectorAll('button');
    function busy(on) { buttons.forEach(function (b) { b.disabled = on; }); }
    pin.addEventListener('input', function () { pinError.hidden = true; });
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      if (!PIN.test(pin.value)) {
        pinError.hidden = false;
        pin.focus();
        return;
      }
      busy(true);
      post('/requests/' + encodeURIComponent(r.referenceId) + '/approve', { pin: pin.value }).then(function (outcome) {
        // A refused PIN leaves the prompt as it was, with the hint.
        if (outcome.status === 400) { busy(false); pinError.textContent = outcome.data.error; pinError.hidden = false; return; }
        finish(entry, outcome);
      }, function () { busy(false); });
    });
    node.querySelector('.reject').addEventListener('click', function () {
      busy(true);
      post('/requests/' + encodeURIComponent(r.referenceId) + '/reject').then(function (outcome) { finish(entry, outcome); }, function () { busy(false); });
    });
    shown.set(r.referenceId, entry);
    list.appendChild(node);
  }

  function render(requests) {
    var ids = new Set(requests.map(function (r) { return r.referenceId; }));
    shown.forEach(function (entry, id) {
      if (!ids.has(id) && !entry.answered) { entry.node.remove(); shown.delete(id); }
    });
    requests.forEach(function (r) {
      // The sandbox clock may have been advanced: trust its secondsLeft over the local clock.
      if (shown.has(r.referenceId)) shown.get(r.referenceId).deadline = Date.now() + r.secondsLeft * 1000;
      else add(r);
    });
    if (shown.size === 0) empty('No payment requests are waiting on this number.');
    else { var e = list.querySelector('.empty'); if (e) e.remove(); }
    tick();
  }

  function renderWallet(wallet) {
    balances.textContent = '';
    wallet.balances.forEach(function (b) {
      var li = document.createElement('li');
      li.textContent = b.amount + ' ' + b.currency;
      balances.appendChild(li);
    });
    messages.textContent = '';
    wallet.messages.forEach(function (m) {
      var li = smsTemplate.content.firstElementChild.cloneNode(true);
      li.classList.add(m.direction);
      var time = li.querySelector('time');
      time.setAttribute('datetime', m.at);
      time.textContent = m.at.slice(0, 16).replace('T', ' ');
      li.querySelector('p').textContent = m.text;
      messages.appendChild(li);
    });
    noMessages.hidden = wallet.messages.length > 0;
  }

  function tick() {
    shown.forEach(function (entry) {
      if (entry.answered) return;
      var left = Math.max(0, Math.ceil((entry.deadline - Date.now()) / 1000));
      entry.node.querySelector('.seconds').textContent = String(left);
    });
  }

  function refreshWallet() {
    fetch(api + '/wallet?msisdn=' + encodeURIComponent(msisdn))
      .then(function (r) { return r.json(); })
      .then(renderWallet)
      .catch(function () { /* the next refresh tries again */ });
  }

  function refresh() {
    fetch(api + '/pending?msisdn=' + encodeURIComponent(msisdn))
      .then(function (r) { return r.json(); })
      .then(function (data) { render(data.requests || []); })
      .catch(function () { empty('The sandbox does not answer.'); });
    refreshWallet();
  }

  refresh();
  setInterval(refresh, 2000);
  setInterval(tick, 1000);
})();
