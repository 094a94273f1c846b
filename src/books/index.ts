// The books room's door (issue #12): the double-entry ledger, what the workflow posts, the
// reports, the CSV exports and reconciliation against the provider.
export { accounts, accountInfo, parseAccount, sellerPayable, sellerOf, type AccountKind, type AccountInfo, type FixedAccount } from './accounts';
export { Ledger, type JournalInput, type Line } from './ledger';
export { createPostings, type Postings, type Moved, type RefundedParts } from './postings';
export { createBooksService, type BooksService, type BooksOptions, type OperatorJournal } from './service';
export type { Balances, JournalView, Statement, SellerBalance } from './reports';
export { isoInZone, parsePeriod, yesterday, type Period } from './time';
export type { ReconcileProgress, ReconcileReport } from './reconcile';
export { nextRunAt, startNightly } from './nightly';
