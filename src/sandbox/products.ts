// MoMo's three products. The sandbox names them itself rather than borrowing the app's type:
// it simulates MoMo, and must not change when Sokoni's view of MoMo does.
export type Product = 'collection' | 'disbursement' | 'remittance';

export const PRODUCTS: readonly Product[] = ['collection', 'disbursement', 'remittance'];
