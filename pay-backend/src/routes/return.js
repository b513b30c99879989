// The 3-D Secure return page's script: tells the popup (the parent window) that the buyer is
// back. The message carries no outcome; the popup checks its origin and attempt id, then asks
// the server for the result.
const page = document.documentElement.dataset;
window.parent.postMessage(
  { type: "pay:challenge-returned", paymentId: page.paymentId, attemptId: page.attemptId },
  "*",
);
