// The door to the catalogue room: the web layer imports from here, never from src/db.
export {
  createCatalogue,
  type Catalogue,
  type CatalogueDeps,
  type Product,
  type ProductInput,
  type Seller,
  type SellerInput,
  type SellerNumberState,
  type SellerWrite,
  type VerifyWallet,
  type WalletCheck,
} from './catalogue';
