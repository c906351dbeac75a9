// Debian's Chromium, headless, for the browser tests (playwright-core cannot download a browser
// of its own). The flags keep it off the network: this machine's is closed.
import { chromium } from "playwright-core";

export const launchChromium = () =>
  chromium.launch({
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
