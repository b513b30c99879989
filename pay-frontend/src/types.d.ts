// Generated from the Rust types by `cargo run -p pay-frontend --example typescript`.
// Do not edit: change the Rust types instead (tests/typescript.rs checks this file).

export interface BrowserPayment {
  id: string;
  amount: number;
  currency: string;
  items: Array<PaymentItem>;
}

export interface BrowserUserInfo {
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  phone: string | null;
  country: string | null;
}

export interface ConversionRate {
  rate: number;
  timestamp: string;
}

export interface ConvertAmountsRequest {
  amounts: Array<number | string>;
  from: string;
  to: string;
}

export interface ConvertedAmounts {
  amounts: Array<number>;
  timestamp: string;
}

export interface CurrencyInfo {
  code: string;
  symbol: string;
}

export interface PayConfig {
  baseUrl?: string;
}

export interface Payment {
  id: string;
  amount: number;
  currency: string;
  items: Array<PaymentItem>;
  userInfo: UserInfo | null;
  expiresAt: string | null;
}

export interface PaymentOptions {
  showThankYouPage?: boolean;
  termsAndConditionsLink?: string;
  skipUserInfoPage?: boolean;
  userInfo?: Partial<BrowserUserInfo>;
  allowManualPayment?: boolean;
  locale?: string;
  theme?: Theme;
}

export interface PaymentResult {
  payment: BrowserPayment;
  status: TransactionStatus;
  transactionId: string | null;
  userInfo: BrowserUserInfo | null;
}

export interface PaymentUpdateEvent {
  payment: Payment;
  status: TransactionStatus;
  transactionId: string | null;
  userInfo: UserInfo | null;
  eventId: string;
  sequence: number;
  createdAt: string;
}

export interface Theme {
  accentColor?: string;
  backgroundColor?: string;
  textColor?: string;
  borderRadius?: string;
}

export type TransactionStatus = "Successful" | "Pending" | "Failed" | "Chargeback" | "Refunded" | "Offline" | "PartiallyRefunded" | "Cancelled" | "Undefined";

export interface UserInfo {
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  phone: string | null;
  countryCode: string | null;
}

export interface PaymentItem {
  name: string;
  price: number;
  quantity: number;
}
