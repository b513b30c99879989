// A merchant's server-side script against Pay's HTTP API: create a payment, read it, refund
// part of it. Its types come only from the OpenAPI document (openapi-typescript writes
// generated/openapi.d.ts from it), so `tsc --noEmit` fails when the document stops describing
// what a client needs. Never run, only type-checked.
import type { components, paths } from "./generated/openapi";

type Schemas = components["schemas"];
type CreateBody = paths["/pay/v1/payments"]["post"]["requestBody"]["content"]["application/json"];
type Created = paths["/pay/v1/payments"]["post"]["responses"]["201"]["content"]["application/json"];
type Details = paths["/pay/v1/payments/{id}"]["get"]["responses"]["200"]["content"]["application/json"];
type RefundBody = paths["/pay/v1/payments/{id}/refunds"]["post"]["requestBody"]["content"]["application/json"];
type Refunded = paths["/pay/v1/payments/{id}/refunds"]["post"]["responses"]["201"]["content"]["application/json"];
type Failure = Schemas["ApiError"];

const base = "https://pay.shop.example/pay/v1";
const headers = { Authorization: "Bearer sk_live_change_me_0123456789", "Content-Type": "application/json" };

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const init: RequestInit = body === undefined ? { method, headers } : { method, headers, body: JSON.stringify(body) };
  const response = await fetch(`${base}${path}`, init);
  if (!response.ok) {
    const failure = (await response.json()) as Failure;
    throw new Error(`${failure.code}: ${failure.message}`);
  }
  return (await response.json()) as T;
}

export async function sellMugs(quantity: number): Promise<Refunded> {
  const order: CreateBody = {
    items: [{ name: "Pay mug", price: 12.5, quantity }],
    amount: 12.5 * quantity,
    currency: "USD",
    userInfo: { firstName: "Ada", email: "ada@example.com", countryCode: "GBR" },
  };
  const payment = await call<Created>("POST", "/payments", order);
  const details = await call<Details>("GET", `/payments/${payment.id}`);
  const status: Schemas["TransactionStatus"] = details.status;
  const lastFour: string | null | undefined = details.attempts[0]?.cardLast4;
  console.log(`payment ${payment.id} is ${status}; card •••• ${lastFour ?? "none"}`);
  const part: RefundBody = { amount: 5 };
  const refund = await call<Refunded>("POST", `/payments/${payment.id}/refunds`, part);
  const after: Schemas["TransactionStatus"] = refund.status;
  console.log(`refunded ${refund.amount} of ${payment.amount} ${payment.currency}; now ${after}`);
  return refund;
}

// What the document forbids, the types forbid too: each line below must be an error.
// @ts-expect-error: the browser's checkout API never takes an amount
export const tampered: paths["/pay/v1/checkout/{id}/attempts"]["post"]["requestBody"]["content"]["application/json"] = { attemptId: "att_0000001", method: "card", amount: 1 };
// @ts-expect-error: a status is one of the nine strings
export const madeUp: Schemas["TransactionStatus"] = "Paid";
// @ts-expect-error: a refund names only its amount
export const extra: RefundBody = { amount: 5, currency: "USD" };
// @ts-expect-error: items are required
export const empty: CreateBody = { amount: 1 };
