// The seed tutorial as a page: "Buy Now" asks the shop's own server to create the payment
// (product id and quantity only; the price comes from the server's catalog), then opens the
// Pay popup. The result shown here is for display only: the server acts on payment events,
// which its onPaymentUpdate hook records and this page lists below the result.
import { startPayment } from "/sdk/index.js";

const POLL_MS = 1000;
const POLL_FOR_MS = 120_000;

const $ = (id) => document.getElementById(id);

/** Shows one result box (or none); `text` replaces the box's text when given. */
function show(id, text) {
  for (const box of ["success", "pending", "info", "error"]) {
    $(box).hidden = box !== id;
  }
  if (id && text) $(id).textContent = text;
}

const RESULT_TEXT = {
  Successful: ["success", "Success! Thank you for your purchase."],
  Pending: ["pending", "Pending: your payment is being processed. We will e-mail you when it is confirmed."],
  Offline: ["pending", "Pending: your order is placed. Pay later as agreed; we ship once the payment is received."],
  Failed: ["info", "The payment was declined. Nothing was charged; you can try again."],
  Cancelled: ["info", "The payment was cancelled. Nothing was charged; you can try again."],
};

// --- the hook's events for the latest order ---------------------------------------------

let polling = null;

function formatTime(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleTimeString();
}

function renderEvents(events) {
  const list = $("order-events");
  const items = events.map((event) => {
    const li = document.createElement("li");
    li.className = "event";
    li.dataset.status = event.status;
    const status = document.createElement("span");
    status.className = `status status-${event.status}`;
    status.textContent = event.status;
    const detail = document.createElement("span");
    detail.className = "event-detail";
    detail.textContent = ` event #${event.sequence} at ${formatTime(event.createdAt)}`;
    li.append(status, detail);
    return li;
  });
  // Replace only when something changed, so a screen reader hears each new event once.
  const key = events.map((e) => e.eventId).join(",");
  if (list.dataset.key !== key) {
    list.dataset.key = key;
    list.replaceChildren(...items);
  }
  $("order-waiting").hidden = events.length > 0;
}

function followOrder(paymentId) {
  clearInterval(polling);
  $("order").hidden = false;
  $("order-payment").textContent = paymentId;
  $("order-events").dataset.key = "";
  $("order-events").replaceChildren();
  $("order-waiting").hidden = false;
  const until = Date.now() + POLL_FOR_MS;
  const poll = async () => {
    if (Date.now() > until) {
      clearInterval(polling);
      return;
    }
    try {
      const response = await fetch(`/api/hook-events?paymentId=${encodeURIComponent(paymentId)}`);
      if (response.ok) renderEvents((await response.json()).data);
    } catch {
      // The next tick tries again.
    }
  };
  polling = setInterval(poll, POLL_MS);
  poll();
}

// --- Buy Now ---------------------------------------------------------------------------

// The button is never disabled: a disabled button loses focus, and the popup gives focus back
// to the element that had it. A second click while busy is ignored instead.
let busy = false;

async function buyNow(button) {
  if (busy) return;
  busy = true;
  button.setAttribute("aria-busy", "true");
  try {
    const quantity = Number($("quantity").value) || 1;
    const response = await fetch("/api/create-my-payment", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ productId: "mug", quantity }),
    });
    if (!response.ok) {
      const problem = await response.json().catch(() => ({}));
      show("error", problem.message ?? `The order could not be created (${response.status}).`);
      return;
    }
    const payment = await response.json();
    show(null);
    followOrder(payment.id);
    const result = await startPayment(payment.id, {
      showThankYouPage: false,
      termsAndConditionsLink: new URL("/terms.html", location.href).href,
      allowManualPayment: true,
    });
    const [box, text] = RESULT_TEXT[result.status] ?? ["info", `Payment status: ${result.status}.`];
    show(box, text);
  } catch (error) {
    show("error", `Payment could not start (${error.code ?? error.message}).`);
  } finally {
    busy = false;
    button.removeAttribute("aria-busy");
  }
}

$("buy").addEventListener("click", (event) => buyNow(event.currentTarget));
