// The checkout form's live parts: the total and the button's amount follow the quantity, and
// with a default country code the number that will be used is shown as it is typed. The form
// works without this file: the live parts stay hidden (see .live-only in sokoni.css) and the
// server computes the amount again; the order page shows it before approval.
'use strict';
(function () {
  var form = document.querySelector('.pay-form');
  if (!form) return;
  var qty = form.querySelector('#qty');
  var total = form.querySelector('#total');
  var totalLine = form.querySelector('#total-line');
  var buttonAmount = form.querySelector('.pay-amount');
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

  // An invalid quantity shows no amount at all rather than the last valid one.
  function updateTotal() {
    var text = qty.value.trim();
    var n = Number(text);
    var valid = /^\d{1,3}$/.test(text) && n >= 1 && n <= 100;
    var amount = valid ? formatter.format(decimal(priceMinor * n)) : '';
    total.textContent = amount;
    totalLine.hidden = !valid;
    buttonAmount.textContent = amount ? ' ' + amount : '';
  }

  qty.addEventListener('input', updateTotal);
  updateTotal();

  // The rule of normaliseMsisdn in src/web/fields.ts, by length alone (MoMo markets' national
  // numbers have 8 to 10 digits); the server, with each country's lengths, decides.
  var countryCode = form.getAttribute('data-country-code');
  var phone = form.querySelector('#phone');
  var used = form.querySelector('#phone-used');
  function normalised(typed) {
    var digits = typed.replace(/[\s+().-]/g, '');
    if (!/^\d{6,15}$/.test(digits)) return null;
    if (typed.trim().charAt(0) === '+') return digits;
    if (digits.charAt(0) === '0') return countryCode + digits.slice(1);
    if (digits.indexOf(countryCode) === 0 && digits.length >= countryCode.length + 8) return digits;
    return digits.length <= 10 ? countryCode + digits : digits;
  }
  function updatePhone() {
    var number = normalised(phone.value);
    used.textContent = number ? 'We will ask +' + number + ' to approve the payment.' : '';
  }
  if (countryCode && phone && used) {
    phone.addEventListener('input', updatePhone);
    updatePhone();
  }

  form.classList.add('live');
})();
