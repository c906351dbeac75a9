// Drives the admin console in headless Chromium (Playwright, Debian's chromium). Prints one
// JSON line.
// PHASE=setup: creates a pool, an app client and a user in the console's forms, and reads the
// invitation's temporary password from the outbox page.
// PHASE=inspect: pastes ID_TOKEN into the token inspector and reads its verdict, then opens
// the user's page.
// Input from the environment: CONSOLE (the console's URL), PHASE, ID_TOKEN, POOL_ID,
// ARTIFACTS (a directory for screenshots).
import { launchChromium } from "./chromium.mjs";

const env = process.env;
const browser = await launchChromium();
const out = {};
const shot = (page, name) =>
  page.screenshot({ path: `${env.ARTIFACTS}/console-${name}.png`, fullPage: true });
const text = async (page, selector) => (await page.locator(selector).first().textContent()).trim();
try {
  const page = await (await browser.newContext()).newPage();
  const errors = [];
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  if (env.PHASE === "setup") {
    await page.goto(env.CONSOLE.split("/_ironpool/console")[0] + "/_ironpool/console");
    out.scopedUrl = page.url();
    out.poolsTitle = await page.title();
    await shot(page, "pools");
    await page.fill("input[name=PoolName]", "console-pool");
    await page.click("button:has-text(\"Create pool\")");
    out.poolId = await text(page, "#pool-id");
    out.poolUrl = page.url();

    await page.fill("input[name=ClientName]", "console-app");
    await page.check("input[value=ALLOW_USER_PASSWORD_AUTH]");
    await page.click("button:has-text(\"Create app client\")");
    out.clientId = await text(page, "#client-id");
    out.clientSecret = await page.locator("#client-secret").count();

    await page.goto(out.poolUrl);
    await page.fill("input[name=Username]", "carol");
    await page.fill("input[name=email]", "carol@example.com");
    await page.click("button:has-text(\"Create user\")");
    out.userStatus = await text(page, "#status");
    out.userTitle = await text(page, "#title");

    await page.goto(out.poolUrl);
    out.users = await page.locator("#users tbody tr").count();
    await shot(page, "pool");
    await page.click("text=Outbox");
    out.outboxPurpose = await text(page, "#messages tbody tr td:nth-child(3)");
    out.code = await text(page, "#messages tbody tr .code");
    await shot(page, "outbox");
  } else {
    await page.goto(`${env.CONSOLE}/token`);
    await page.fill("textarea[name=token]", env.ID_TOKEN);
    await page.click("button:has-text(\"Inspect\")");
    out.signature = await text(page, "#signature");
    out.expiry = await text(page, "#expiry");
    out.accepted = await text(page, "#accepted");
    out.claims = JSON.parse(await text(page, "#claims"));
    await shot(page, "token");
    await page.goto(`${env.CONSOLE}/pools/${env.POOL_ID}/users/carol`);
    out.userStatus = await text(page, "#status");
    await shot(page, "user");
  }
  out.scriptErrors = errors;
} finally {
  await browser.close();
}
console.log(JSON.stringify(out));
