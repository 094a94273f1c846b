// The console's "Copy" button beside a link shown only once (a seller's invite): copies the
// field's text to the clipboard, or selects it for a long press where the clipboard is not open.
'use strict';
(function () {
  document.querySelectorAll('button[data-copy]').forEach(function (button) {
    var field = document.getElementById(button.getAttribute('data-copy'));
    if (!field) return;
    button.hidden = false;
    button.addEventListener('click', function () {
      field.focus();
      field.select();
      var done = function () { button.textContent = 'Copied'; };
      if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(field.value).then(done, function () { button.textContent = 'Selected: copy it'; });
      else button.textContent = 'Selected: copy it';
    });
  });
})();
