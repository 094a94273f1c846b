// The checkout form's total, kept up to date as the quantity changes. The form works without
// this file: the server computes the amount again and the order page shows it before approval.
'use strict';
(function () {
  var form = document.querySelector('.pay-form');
  if (!form) return;
  var qty = form.querySelector('#qty');
  var outputs = document.querySelectorAll('#total, .pay-amount');
  var priceMinor = Number(form.getAttribute('data-price-minor'));
  var exponent = Number(form.getAttribute('data-exponent'));
  var currency = form.getAttribute('data-currency');
  var formatter = new Intl.NumberFormat(form.getAttribute('data-locale'), {
    style: 'currency', currency: currency, minimumFractionDigits: exponent, maximumFractionDigits: exponent,
  });

  // Integer minor units to a decimal string, as the server does: no float is ever formed.
  function decimal(minor) {
    if (exponent === 0) return String(minor);
    var digits = String(minor).padStart(exponent + 1, '0');
    return digits.slice(0, -exponent) + '.' + digits.slice(-exponent);
  }

  function update() {
    var n = Number(qty.value);
    if (!Number.isInteger(n) || n < 1 || n > 100) return;
    var text = formatter.format(decimal(priceMinor * n));
    outputs.forEach(function (output) { output.textContent = text; });
  }

  qty.addEventListener('input', update);
  update();
})();
