// MoMo refuses `'` and `&` and more than 160 characters in payerMessage and payeeNote, so text
// is cleaned rather than refused: a shop called "Salt & Pepper" must not fail at checkout.
export function momoText(text: string): string {
  return text.replace(/&/g, 'and').replace(/['"<>]/g, '').replace(/\s+/g, ' ').trim().slice(0, 160);
}
