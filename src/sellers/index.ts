// The sellers room's door (issue #15): the seller portal's service (one seller's home figures,
// sales, payouts, ledger lines, statement and products) and its live changes.
export { createSellerPortal, type SellerPortal, type SellerPortalOptions, type Sale, type Payout, type Home, type HomeFigures, type LedgerLine, type Notice, type ProductChanges, type StatementView } from './portal';
export { createSellerLive, type SellerLive } from './live';
export { PAGE_SIZE } from './query';
export { payoutWords, lineLabel, type PayoutWords, type PayoutState } from './words';
