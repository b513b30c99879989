// Type-checked with `tsc -p pay-frontend/js` (tests/e2e/package.test.js): what a merchant's
// TypeScript writes against the package's declarations compiles, and mistakes do not.
import { configure, currencies, preload, startPayment } from "./index.js";
import type { PaymentResult, TransactionStatus } from "./index.js";

export async function buy(id: string): Promise<TransactionStatus> {
  configure({ baseUrl: "https://pay.example" });
  const ready: void = await preload();
  void ready;
  const result: PaymentResult = await startPayment(id, {
    showThankYouPage: false,
    termsAndConditionsLink: "https://shop.example/terms",
    userInfo: { firstName: "Ada", country: "GBR" },
    theme: { accentColor: "#0a7" },
  });
  const amount: number = result.payment.amount;
  const transaction: string | null = result.transactionId;
  void amount;
  void transaction;
  const { rate } = await currencies.currencyConverter.getConversionRate("USD", "EUR");
  const { amounts } = await currencies.currencyConverter.convertAmounts({ amounts: [9.99, "1.5"], from: "USD", to: "EUR" });
  const codes: string[] = (await currencies.getAllCurrencies()).map((c) => c.code);
  void [rate + 1, amounts[0] + 1, codes];
  // @ts-expect-error: showThankYouPage is a boolean
  await startPayment(id, { showThankYouPage: "yes" });
  // @ts-expect-error: the id is a string
  await startPayment(42);
  return result.status;
}
