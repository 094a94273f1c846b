// The handset page. No inline script or style (Sokoni's Content-Security-Policy forbids them):
// the script and stylesheet are files served by the sandbox router, and every URL is built from
// the mount point (`req.baseUrl`), so the page works wherever the router is mounted. Without a
// number it only asks for one; with one it shows that number's balance, the requests waiting on
// it and its SMS, and nothing about any other number.
import { PIN_HINT, type HandsetWallet } from './requests';

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function walletHtml(wallet: HandsetWallet): string {
  const balances = wallet.balances.map((b) => `<li>${escapeHtml(b.amount)} ${escapeHtml(b.currency)}</li>`).join('');
  const messages = wallet.messages
    .map(
      (m) => `<li class="sms ${m.direction}"><time datetime="${escapeHtml(m.at)}">${escapeHtml(m.at.slice(0, 16).replace('T', ' '))}</time><p>${escapeHtml(m.text)}</p></li>`,
    )
    .join('');
  return `<section class="wallet" aria-labelledby="balance-title">
    <h2 id="balance-title">Balance</h2>
    <ul id="balances" class="balances">${balances}</ul>
  </section>
  <section id="requests" class="requests" aria-live="polite">
    <p class="empty">Checking for payment requests…</p>
  </section>
  <section class="inbox" aria-labelledby="inbox-title">
    <h2 id="inbox-title">Messages</h2>
    <ol id="messages" class="messages">${messages}</ol>
    <p id="no-messages" class="empty"${wallet.messages.length ? ' hidden' : ''}>No messages yet.</p>
  </section>
  <template id="request-template">
    <article class="request">
      <p class="note"></p>
      <p class="amount"><span class="value"></span> <span class="currency"></span></p>
      <p class="message"></p>
      <p class="countdown">Expires in <span class="seconds"></span> s</p>
      <form class="approve" novalidate>
        <label>PIN <input name="pin" type="password" inputmode="numeric" maxlength="6" autocomplete="off"></label>
        <p class="pin-error" role="alert" hidden>${escapeHtml(PIN_HINT)}</p>
        <button type="submit" class="ok">Approve</button>
        <button type="button" class="reject">Reject</button>
      </form>
    </article>
  </template>
  <template id="sms-template"><li class="sms"><time></time><p></p></li></template>
  <noscript><p class="empty">Approving needs JavaScript; tests use the JSON API under the handset's /api.</p></noscript>`;
}

export function handsetPage(base: string, wallet: HandsetWallet | null, typed: string): string {
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
<body data-api="${b}/handset/api"${wallet ? ` data-msisdn="${escapeHtml(wallet.msisdn)}"` : ''}>
<main class="phone">
  <header class="bar"><h1>MoMo</h1><p>Sandbox handset${wallet ? ` · ${escapeHtml(wallet.msisdn)}` : ''}</p></header>
  <form id="pick" class="pick" method="get" action="${b}/handset">
    <label for="msisdn">${wallet ? 'Phone number' : 'Which phone is this? Enter its number (MSISDN)'}</label>
    <div class="row">
      <input id="msisdn" name="msisdn" inputmode="tel" autocomplete="tel" placeholder="256771234567" required value="${escapeHtml(typed)}">
      <button type="submit">Open</button>
    </div>
  </form>
  ${wallet ? walletHtml(wallet) : '<p class="intro">This simulated phone shows the payment requests waiting on one number, its balance and its messages. Any 4 to 6 digit PIN approves.</p>'}
</main>
</body>
</html>
`;
}
