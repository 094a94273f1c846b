// The handset page. No inline script or style (Sokoni's Content-Security-Policy forbids them):
// the script and stylesheet are files served by the sandbox router, and every URL is built from
// the mount point (`req.baseUrl`), so the page works wherever the router is mounted.
const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function handsetPage(base: string, msisdn: string): string {
  const b = escapeHtml(base);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>MoMo handset · sandbox</title>
<link rel="stylesheet" href="${b}/handset/assets/handset.css">
<script src="${b}/handset/assets/handset.js" defer></script>
</head>
<body data-api="${b}/handset/api">
<main class="phone">
  <header class="bar"><h1>MoMo</h1><p>Sandbox handset</p></header>
  <form id="pick" class="pick" method="get" action="${b}/handset">
    <label for="msisdn">Phone number (MSISDN)</label>
    <div class="row">
      <input id="msisdn" name="msisdn" list="known" inputmode="tel" autocomplete="off" placeholder="256771234567" value="${escapeHtml(msisdn)}">
      <button type="submit">Open</button>
    </div>
    <datalist id="known"></datalist>
    <p id="known-hint" class="hint"></p>
  </form>
  <section id="requests" class="requests" aria-live="polite">
    <p class="empty">Type or pick a number to see the payment requests waiting on it.</p>
  </section>
  <template id="request-template">
    <article class="request">
      <p class="note"></p>
      <p class="amount"><span class="value"></span> <span class="currency"></span></p>
      <p class="message"></p>
      <p class="countdown">Expires in <span class="seconds"></span> s</p>
      <form class="approve">
        <label>PIN <input name="pin" type="password" inputmode="numeric" pattern="[0-9]{4,6}" maxlength="6" required autocomplete="off"></label>
        <button type="submit" class="ok">Approve</button>
        <button type="button" class="reject">Reject</button>
      </form>
      <p class="result" hidden></p>
    </article>
  </template>
  <noscript><p class="empty">The handset needs JavaScript; tests use its JSON API under ${b}/handset/api.</p></noscript>
</main>
</body>
</html>
`;
}
