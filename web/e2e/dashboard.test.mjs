// @ts-check
// Browser tests of the member dashboard: Debian's Chromium (through playwright-core) against the real
// `dashboard serve --demo`, serving the production build in web/dist. Each test starts its own server
// (fresh store with the demo member: 12 orders, 4 NFTs in two collections) and its own browser profile,
// so the tests do not depend on each other. Screenshots of the main views go to web/screenshots/.
//
// Run with `npm run e2e` in web/ after building (scripts/e2e.sh does everything).
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join, normalize, sep } from 'node:path';
import { test } from 'node:test';
import { openBrowser, screenshot, screenshotDir } from './browser.mjs';
import { removeDataDir, startDashboard, webDist } from './server.mjs';
import { startDevChain } from './chain.mjs';
import { readOutbox } from './outbox.mjs';
import { startStripeFake } from './stripe.mjs';
import { addressOf, installTestWallet, messageBytes, TEST_KEYS } from './wallet-provider.mjs';

/** @typedef {import('playwright-core').Page} Page */
/** @typedef {import('playwright-core').Locator} Locator */
/** @typedef {import('playwright-core').BrowserContext} BrowserContext */
/** @typedef {import('./server.mjs').DashboardServer} DashboardServer */
/**
 * @typedef {object} Fixture
 * @property {DashboardServer} server
 * @property {(opts?: Parameters<typeof startDashboard>[0]) => Promise<DashboardServer>} startServer
 *   starts another server, stopped with the test
 * @property {Page} page
 * @property {BrowserContext} context
 */

const SESSION_KEY = 'babes.dashboard.session';
/** Orders per page in the dashboard (ORDERS_PAGE_SIZE) and orders of the demo member. */
const PAGE_SIZE = 10;
const DEMO_ORDERS = 12;
/**
 * Failed reads are retried twice (1 s, then 2 s later) before the error shows. Like every wait here, the bound
 * only turns an error that never shows into a failure; a loaded machine must never reach it.
 */
const ERROR_TIMEOUT_MS = 90_000;
/** A whole test, server start and browser launch included: a guard against a hang, not a speed limit. */
const TEST_TIMEOUT_MS = 300_000;

// Screenshots of failures are kept until the next run.
if (existsSync(screenshotDir)) {
  for (const f of readdirSync(screenshotDir)) if (/^failed-.*\.png$/.test(f)) rmSync(join(screenshotDir, f));
}

/**
 * withDashboard runs one test against a server and a browser of its own, and stops both whatever happens.
 * On failure it saves web/screenshots/failed-<test>.png and prints what the server logged.
 * @param {import('node:test').TestContext} t
 * @param {(f: Fixture) => Promise<void>} fn
 * @param {{viewport?: {width: number, height: number}}} [opts]
 */
async function withDashboard(t, fn, opts = {}) {
  /** @type {DashboardServer[]} */
  const servers = [];
  /** @param {Parameters<typeof startDashboard>[0]} [o] */
  const startServer = async (o) => {
    const s = await startDashboard(o);
    servers.push(s);
    return s;
  };
  try {
    const server = await startServer();
    const browser = await openBrowser(opts);
    try {
      await fn({ server, startServer, page: browser.page, context: browser.context });
      assert.deepEqual(browser.pageErrors, [], 'the page threw uncaught errors');
    } catch (err) {
      const name = t.name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60);
      await screenshot(browser.page, `failed-${name}`).catch(() => {});
      throw err;
    } finally {
      await browser.close();
    }
  } catch (err) {
    for (const s of servers) t.diagnostic(`dashboard serve (${s.origin}) last printed:\n${s.tail()}`);
    throw err;
  } finally {
    for (const s of servers) await s.stop();
    for (const dir of new Set(servers.map((s) => s.dataDir))) removeDataDir(dir);
  }
}

/** @param {Page} page */
const profileView = (page) => page.getByRole('region', { name: 'Your profile' });
/** @param {Page} page */
const ordersView = (page) => page.getByRole('region', { name: 'Order history' });
/** @param {Page} page */
const nftView = (page) => page.getByRole('region', { name: 'NFT holdings' });
/** @param {Page} page @param {number} n */
const ordersTable = (page, n) => ordersView(page).getByRole('table', { name: `Your orders, newest first, page ${n}` });
/** @param {Page} page @param {string} name */
const profileName = (page, name) => profileView(page).getByRole('heading', { level: 3, name, exact: true });
/**
 * profileEmail is the email line under the member's name on the profile card (the checkout emails panel below
 * lists the same address again).
 * @param {Page} page
 */
const profileEmail = (page) => profileView(page).locator('.profile__head h3 + p');

/**
 * signIn opens the demo sign-in link and waits until the profile, the first page of orders and the NFTs show.
 * @param {Page} page
 * @param {DashboardServer} server
 */
async function signIn(page, server) {
  await page.goto(server.signInUrl);
  await profileName(page, 'Demo Babe').waitFor();
  await ordersTable(page, 1).waitFor();
  await nftView(page).getByRole('list', { name: 'Your NFTs' }).waitFor();
}

/** @param {Locator} locator */
async function isFocused(locator) {
  return locator.evaluate((el) => el === document.activeElement);
}

/**
 * waitForFocus waits until the element has the keyboard focus.
 * @param {Page} page
 * @param {Locator} locator
 */
async function waitForFocus(page, locator) {
  const handle = await locator.elementHandle();
  await page.waitForFunction((el) => el === document.activeElement, handle);
}

/**
 * waitForCount waits until exactly n elements match.
 * @param {Locator} locator
 * @param {number} n
 */
async function waitForCount(locator, n) {
  if (n > 0) await locator.nth(n - 1).waitFor({ state: 'attached' });
  await locator.nth(n).waitFor({ state: 'detached' });
}

/**
 * waitForPictures waits until the NFT pictures (and the avatar) have given up on their outside image hosts,
 * which the tests block, and show the dashboard's placeholders, so that screenshots show no broken images.
 * @param {Page} page
 * @param {number} nfts
 */
async function waitForPictures(page, nfts) {
  const view = nftView(page);
  // The pictures load lazily: bring the last one into view so that all of them are asked for.
  await view.getByRole('listitem').last().scrollIntoViewIfNeeded();
  await waitForCount(view.getByRole('img', { name: /\(image unavailable\)$/ }), nfts);
  await profileView(page).locator('img.avatar').waitFor({ state: 'detached' });
  await page.evaluate(() => window.scrollTo(0, 0));
}

/** @param {Locator} scope */
async function orderNumbers(scope) {
  return (await scope.getByRole('rowheader').allTextContents()).map((s) => s.trim());
}

test('the demo sign-in link opens the dashboard with the profile, and removes the token from the address bar', { timeout: TEST_TIMEOUT_MS }, (t) =>
  withDashboard(t, async ({ server, page }) => {
    await signIn(page, server);

    const url = new URL(page.url());
    assert.equal(url.hash, '', 'the #demo-token fragment is removed');
    assert.equal(url.origin + url.pathname, `${server.origin}/`);
    const token = decodeURIComponent(new URL(server.signInUrl).hash.slice('#demo-token='.length));
    const stored = await page.evaluate((key) => ({ tab: sessionStorage.getItem(key), saved: localStorage.getItem(key) }), SESSION_KEY);
    assert.equal(JSON.parse(stored.tab ?? '{}').token, token, 'the demo session is kept in sessionStorage');
    assert.equal(stored.saved, null, 'nothing is written to localStorage');

    const profile = profileView(page);
    await profileEmail(page).getByText('demo@babesclub.example').waitFor();
    await profile.getByText('+1 (555) 010-2025').waitFor();
    await page.getByRole('banner').getByText('Signed in as Demo Babe').waitFor();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();

    await waitForPictures(page, 4);
    await screenshot(page, 'overview');
  }),
);

test('an edited display name and phone are saved and still shown after a reload', { timeout: TEST_TIMEOUT_MS }, (t) =>
  withDashboard(t, async ({ server, page }) => {
    await signIn(page, server);
    await waitForPictures(page, 4);
    const profile = profileView(page);
    await profile.getByRole('button', { name: 'Edit profile' }).click();

    const form = page.getByRole('form', { name: 'Edit profile' });
    await form.waitFor();
    const name = form.getByLabel('Display name', { exact: true });
    assert.equal(await name.inputValue(), 'Demo Babe');
    assert.ok(await isFocused(name), 'the first field has the focus when the form opens');
    await name.fill('Demo Babe Deluxe');
    await form.getByLabel('Phone (optional)', { exact: true }).fill('+44 20 7946 0958');
    await screenshot(page, 'profile-edit');

    const saved = page.waitForResponse((r) => new URL(r.url()).pathname === '/dashboard/profile' && r.request().method() === 'PUT');
    await form.getByRole('button', { name: 'Save changes' }).click();
    assert.equal((await saved).status(), 200, 'PUT /dashboard/profile succeeds');
    await profile.getByText('Profile saved.', { exact: true }).waitFor();
    await form.waitFor({ state: 'detached' });
    await profileName(page, 'Demo Babe Deluxe').waitFor();
    await page.getByRole('banner').getByText('Signed in as Demo Babe Deluxe').waitFor();

    // A reload starts the app afresh: the session comes from sessionStorage, the profile from the server.
    await page.reload();
    await profileName(page, 'Demo Babe Deluxe').waitFor();
    await profile.getByText('+44 20 7946 0958').waitFor();
    assert.equal(await profile.getByText('+1 (555) 010-2025').count(), 0, 'the old phone number is gone');
    assert.equal(new URL(page.url()).hash, '', 'signed in without the link');
  }),
);

test('Next and Previous page through the orders', { timeout: TEST_TIMEOUT_MS }, (t) =>
  withDashboard(t, async ({ server, page }) => {
    await signIn(page, server);
    const orders = ordersView(page);
    const previous = orders.getByRole('button', { name: 'Previous' });
    const next = orders.getByRole('button', { name: 'Next' });

    const first = await orderNumbers(ordersTable(page, 1));
    assert.equal(first.length, PAGE_SIZE, 'a full first page');
    assert.equal(await previous.getAttribute('aria-disabled'), 'true', 'no page before the first');
    assert.equal(await next.getAttribute('aria-disabled'), 'false');

    await next.click();
    // "Page 2" alone (not "Page 2 (loading…)") once the second page has arrived.
    await orders.getByText('Page 2', { exact: true }).waitFor();
    const second = await orderNumbers(ordersTable(page, 2));
    assert.equal(second.length, DEMO_ORDERS - PAGE_SIZE, 'the rest of the orders on page 2');
    assert.deepEqual(second.filter((n) => first.includes(n)), [], 'page 2 shows other orders than page 1');
    assert.equal(new Set([...first, ...second]).size, DEMO_ORDERS);
    assert.equal(await next.getAttribute('aria-disabled'), 'true', 'no page after the last');
    assert.equal(await previous.getAttribute('aria-disabled'), 'false');
    await screenshot(orders, 'orders-page-2');

    await previous.click();
    await orders.getByText('Page 1', { exact: true }).waitFor();
    assert.deepEqual(await orderNumbers(ordersTable(page, 1)), first, 'Previous shows the first page again');
  }),
);

test('an order opens in a drawer from the keyboard and Escape closes it, returning the focus', { timeout: TEST_TIMEOUT_MS }, (t) =>
  withDashboard(t, async ({ server, page }) => {
    await signIn(page, server);
    const opener = ordersTable(page, 1).getByRole('rowheader').first().getByRole('button');
    const number = (await opener.textContent())?.trim() ?? '';
    assert.match(number, /^BC-/);

    // Tab from the top of the page to the first order, as a keyboard user would.
    for (let i = 0; i < 30 && !(await isFocused(opener)); i++) await page.keyboard.press('Tab');
    assert.ok(await isFocused(opener), `Tab reaches order ${number}`);
    await page.keyboard.press('Enter');

    const dialog = page.getByRole('dialog', { name: `Order ${number}` });
    await dialog.waitFor();
    const items = dialog.getByRole('table', { name: 'Items in this order' });
    await items.waitFor();
    const itemNames = await items.getByRole('rowheader').allInnerTexts();
    assert.ok(itemNames.length > 0, 'the order lists its items');
    assert.ok(itemNames.every((n) => /\S/.test(n)), 'every item has a name');
    await dialog.getByText('Subtotal').waitFor();
    assert.ok(await isFocused(dialog.getByRole('button', { name: 'Close order details' })), 'the close button has the focus');
    assert.notEqual(await page.locator('#root').getAttribute('inert'), null, 'the page behind the drawer is inert');

    // Tab stays inside the drawer.
    for (let i = 0; i < 4; i++) {
      await page.keyboard.press('Tab');
      assert.ok(await dialog.evaluate((el) => el.contains(document.activeElement)), 'focus stays in the drawer');
    }
    await screenshot(page, 'order-drawer', { fullPage: false });

    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await waitForFocus(page, opener);
    assert.equal(await page.locator('#root').getAttribute('inert'), null, 'the page is usable again');
  }),
);

test('the collection filter shows only the NFTs of that collection', { timeout: TEST_TIMEOUT_MS }, (t) =>
  withDashboard(t, async ({ server, page }) => {
    await signIn(page, server);
    const nfts = nftView(page);
    const everything = await nfts.getByRole('list', { name: 'Your NFTs' }).getByRole('listitem').allInnerTexts();
    assert.equal(everything.length, 4, 'the demo member holds 4 NFTs');

    const filter = nfts.getByLabel('Collection');
    /** @param {string} label @param {string} id */
    const choose = async (label, id) => {
      const asked = page.waitForResponse((r) => {
        const u = new URL(r.url());
        return u.pathname === '/dashboard/nfts' && u.searchParams.get('collectionId') === id;
      });
      await filter.selectOption({ label });
      assert.equal((await asked).status(), 200, `the API is asked for ${id}`);
      const list = nfts.getByRole('list', { name: `NFTs from ${label}` });
      await list.waitFor();
      return list.getByRole('listitem').allInnerTexts();
    };

    const charms = await choose('Babes Club Charms', 'babes-club-charms');
    assert.equal(charms.length, 1);
    assert.match(charms[0] ?? '', /Babe #1001 — Onyx/);
    assert.ok(charms.every((c) => c.includes('Babes Club Charms')));
    await waitForPictures(page, 1);
    await screenshot(nfts, 'nfts-filtered');

    const genesis = await choose('Babes Club Genesis', 'babes-club-genesis');
    assert.equal(genesis.length, 3);
    assert.ok(genesis.every((c) => c.includes('Babes Club Genesis') && !c.includes('Charms')));

    await filter.selectOption({ label: 'All collections' });
    await waitForCount(nfts.getByRole('list', { name: 'Your NFTs' }).getByRole('listitem'), 4);
  }),
);

test('when the API stops, the views show an error with a retry that works once it is back', { timeout: TEST_TIMEOUT_MS }, (t) =>
  withDashboard(t, async ({ server, startServer, page, context }) => {
    await signIn(page, server);
    await server.kill();

    // The app is still open; the next page of orders was never loaded, so it must be asked for.
    const orders = ordersView(page);
    await orders.getByRole('button', { name: 'Next' }).click();
    const ordersError = orders.getByRole('alert').filter({ hasText: "We couldn't load your orders." });
    await ordersError.waitFor({ timeout: ERROR_TIMEOUT_MS });
    await ordersError.getByText('We could not reach the server.').waitFor();
    await ordersError.getByRole('button', { name: 'Try again' }).waitFor();

    // Reload. The page itself now comes from a static host (as in production, where the built app is
    // served apart from the API); every API call still goes to the stopped server.
    await context.route(
      (url) => url.origin === server.origin && !url.pathname.startsWith('/dashboard') && url.pathname !== '/healthz',
      async (route) => {
        const { pathname } = new URL(route.request().url());
        const file = join(webDist, normalize(pathname === '/' ? 'index.html' : decodeURIComponent(pathname.slice(1))));
        if (!file.startsWith(webDist + sep) || !existsSync(file)) return route.fulfill({ status: 404, body: 'not found' });
        return route.fulfill({ path: file });
      },
    );
    await page.reload();
    const profileError = profileView(page).getByRole('alert').filter({ hasText: "We couldn't load your profile." });
    const nftError = nftView(page).getByRole('alert').filter({ hasText: "We couldn't load your NFTs." });
    for (const alert of [profileError, ordersError, nftError]) {
      await alert.waitFor({ timeout: ERROR_TIMEOUT_MS });
      await alert.getByText('We could not reach the server.').waitFor();
      await alert.getByRole('button', { name: 'Try again' }).waitFor();
    }
    await page.getByRole('banner').getByText('Signed in as Demo Babe').waitFor();
    await screenshot(page, 'error');

    // The API comes back on the same address (same store and secret, so the session is still good).
    await startServer({ addr: server.addr, dataDir: server.dataDir, secret: server.secret });
    await profileError.getByRole('button', { name: 'Try again' }).click();
    await profileName(page, 'Demo Babe').waitFor();
    await ordersError.getByRole('button', { name: 'Try again' }).click();
    await ordersTable(page, 1).waitFor();
    await nftError.getByRole('button', { name: 'Try again' }).click();
    await nftView(page).getByRole('list', { name: 'Your NFTs' }).waitFor();
  }),
);

test('at phone width (375 px) the dashboard fits the screen', { timeout: TEST_TIMEOUT_MS }, (t) =>
  withDashboard(
    t,
    async ({ server, page }) => {
      await signIn(page, server);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `no sideways scrolling (the page is ${overflow}px too wide)`);
      for (const control of [
        page.getByRole('button', { name: 'Sign out' }),
        profileView(page).getByRole('button', { name: 'Edit profile' }),
        ordersView(page).getByRole('button', { name: 'Next' }),
        ordersTable(page, 1).getByRole('rowheader').last(),
        nftView(page).getByLabel('Collection'),
      ]) {
        const box = await control.boundingBox();
        assert.ok(box && box.x >= 0 && box.x + box.width <= 375, `${control} is within the screen`);
      }
      await waitForPictures(page, 4);
      await screenshot(page, 'phone');
    },
    { viewport: { width: 375, height: 812 } },
  ),
);

test('a new email waits for the mailed code: a wrong code is refused, the right one changes it, and it lasts', { timeout: TEST_TIMEOUT_MS }, (t) =>
  withDashboard(t, async ({ server, page }) => {
    const OLD = 'demo@babesclub.example';
    const NEW = 'new.babe@babesclub.example';
    await signIn(page, server);
    await waitForPictures(page, 4);
    const profile = profileView(page);
    await profile.getByRole('button', { name: 'Edit profile' }).click();
    const form = page.getByRole('form', { name: 'Edit profile' });
    await form.getByLabel('Email', { exact: true }).fill(NEW);
    const saved = page.waitForResponse((r) => new URL(r.url()).pathname === '/dashboard/profile' && r.request().method() === 'PUT');
    await form.getByRole('button', { name: 'Save changes' }).click();
    const res = await saved;
    assert.equal(res.status(), 200, 'PUT /dashboard/profile succeeds');
    const body = await res.json();
    assert.equal(body.emailVerificationSent, true);
    assert.equal(body.profile.email, OLD, 'the email does not change on save');
    assert.equal(body.profile.pendingEmail, NEW);

    // The card shows the change as pending, with the code field focused.
    const confirm = profile.getByRole('form', { name: 'Confirm your new email address' });
    await confirm.waitFor();
    await profile.getByText(`We sent a code to ${NEW}; your email stays ${OLD} until you enter it.`).waitFor();
    const code = confirm.getByLabel('Verification code', { exact: true });
    await waitForFocus(page, code);
    assert.equal(await code.getAttribute('inputmode'), 'numeric');
    assert.equal(await code.getAttribute('autocomplete'), 'one-time-code');

    // The server wrote the mails before it answered: the code to the new address, a notice to the old one.
    const mails = readOutbox(server.dataDir);
    const toNew = mails.filter((m) => m.to === NEW);
    assert.equal(toNew.length, 1, 'one mail to the new address');
    const newest = /** @type {import('./outbox.mjs').Mail} */ (toNew.at(-1));
    const right = /^Your Babes Club verification code: (\d{6})$/.exec(newest.subject)?.[1];
    assert.ok(right, `the code is in the subject (${newest.subject})`);
    assert.ok(newest.text.includes(right), 'and in the text body');
    const notices = mails.filter((m) => m.to === OLD);
    assert.equal(notices.length, 1, 'one notice to the old address');
    assert.ok(!notices[0]?.text.includes(right) && !notices[0]?.html.includes(right), 'the notice does not carry the code');

    // A wrong code is refused with the server's message; the change stays pending.
    const wrong = String((Number(right) + 1) % 1_000_000).padStart(6, '0');
    await code.fill(wrong);
    await confirm.getByRole('button', { name: 'Confirm' }).click();
    const error = confirm.getByRole('alert');
    await error.getByText('That code is not right; 4 tries left.').waitFor();
    assert.equal(await code.getAttribute('aria-invalid'), 'true');
    await screenshot(profile, 'email-pending');

    // At phone width the panel fits the screen.
    await page.setViewportSize({ width: 375, height: 812 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `no sideways scrolling (the page is ${overflow}px too wide)`);
    for (const control of [code, confirm.getByRole('button', { name: 'Confirm' }), confirm.getByRole('button', { name: 'Send a new code' })]) {
      const box = await control.boundingBox();
      assert.ok(box && box.x >= 0 && box.x + box.width <= 375, `${control} is within the screen`);
    }
    await screenshot(profile, 'email-pending-phone');
    await page.setViewportSize({ width: 1280, height: 800 });

    // The pending change comes from the server, so it is still there after a reload.
    await page.reload();
    await confirm.waitFor();
    await profile.getByText(`We sent a code to ${NEW}; your email stays ${OLD} until you enter it.`).waitFor();

    await code.fill(right);
    await confirm.getByRole('button', { name: 'Confirm' }).click();
    await profile.getByText(`Your email address is now ${NEW}.`, { exact: true }).waitFor();
    await confirm.waitFor({ state: 'detached' });
    await profileEmail(page).getByText(NEW, { exact: true }).waitFor();

    await page.reload();
    await profileName(page, 'Demo Babe').waitFor();
    await profileEmail(page).getByText(NEW, { exact: true }).waitFor();
    assert.equal(await profile.getByText(OLD, { exact: true }).count(), 0, 'the old email is gone');
    assert.equal(await profile.getByText(/We sent a code to/).count(), 0, 'nothing is pending any more');
  }),
);

/** The demo member's pending checkout email and shipped order (demo/demo.go). */
const DEMO_GUEST_EMAIL = 'demo.guest@babesclub.example';
const DEMO_TRACKING = '1Z999AA10123456784';

test('a checkout email is verified with the mailed code, and the guest order placed with it appears', { timeout: TEST_TIMEOUT_MS }, (t) =>
  withDashboard(t, async ({ startServer, page }) => {
    // Stripe (the stateful fake) holds a guest checkout placed with the demo member's pending address.
    const created = new Date(Date.now() - 60 * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
    const stripe = await startStripeFake([
      { id: 'cs_test_guestE2E0001', created, customerEmail: DEMO_GUEST_EMAIL, paid: true, items: [{ name: 'Pearl Drop Earrings', quantity: 1, unitAmount: 6400 }] },
    ]);
    t.after(stripe.stop);
    const server = await startServer({ env: { STRIPE_SECRET: 'sk_test_e2e', STRIPE_API_BASE: stripe.url } });
    await signIn(page, server);
    const guestNumber = 'BC-TE2E0001'; // "BC-" and the session id's last 8 characters, upper-cased
    const orders = ordersView(page);
    assert.equal(await orders.getByText(guestNumber).count(), 0, 'the guest order is not listed before the address is verified');

    const panel = page.getByRole('region', { name: 'Checkout emails' });
    const row = panel.getByRole('listitem').filter({ hasText: DEMO_GUEST_EMAIL });
    await row.getByText('Pending').waitFor();
    await row.getByRole('button', { name: `Enter code for ${DEMO_GUEST_EMAIL}` }).click();
    const form = panel.getByRole('form', { name: 'Confirm your checkout email' });
    await form.waitFor();
    // The demo's address was added without a code that anyone can read: ask for a new one.
    const sent = page.waitForResponse((r) => new URL(r.url()).pathname === '/dashboard/emails' && r.request().method() === 'POST');
    await form.getByRole('button', { name: 'Send a new code' }).click();
    assert.equal((await sent).status(), 202, 'a new code is mailed');
    const mails = readOutbox(server.dataDir).filter((m) => m.to === DEMO_GUEST_EMAIL);
    assert.equal(mails.length, 1, 'one code mail to the checkout address');
    const code = /^Your Babes Club verification code: (\d{6})$/.exec(mails[0]?.subject ?? '')?.[1];
    assert.ok(code, `the code is in the subject (${mails[0]?.subject})`);

    const field = form.getByLabel('Verification code', { exact: true });
    await field.fill(String((Number(code) + 1) % 1_000_000).padStart(6, '0'));
    await form.getByRole('button', { name: 'Confirm' }).click();
    await form.getByText(/That code is not right; 4 tries left\./).waitFor();
    await field.fill(code);
    await form.getByRole('button', { name: 'Confirm' }).click();
    await panel.getByText(`${DEMO_GUEST_EMAIL} is verified.`, { exact: false }).waitFor();
    await row.getByText('Verified').waitFor();
    await screenshot(panel, 'checkout-emails');

    // The verification queued a Stripe sync of the address; the order appears once it ran. Each round asks the
    // API again ("Refresh orders") and waits for its answer: a condition, not a time.
    const refresh = panel.getByRole('button', { name: 'Refresh orders' });
    for (let round = 0; round < 60 && (await orders.getByText(guestNumber).count()) === 0; round++) {
      const answered = page.waitForResponse((r) => new URL(r.url()).pathname === '/dashboard/orders');
      await refresh.click();
      await answered;
    }
    await orders.getByText(guestNumber).waitFor();
  }),
);

test('the order drawer shows the parcel\'s timeline with the carrier and the tracking link, on a phone too', { timeout: TEST_TIMEOUT_MS }, (t) =>
  withDashboard(t, async ({ server, page }) => {
    await signIn(page, server);
    const first = ordersTable(page, 1).getByRole('row').filter({ hasText: 'Shipped' }).first();
    await first.getByText('Shipped').waitFor();
    await first.getByRole('rowheader').getByRole('button').click();
    const dialog = page.getByRole('dialog', { name: /^Order BC-/ });
    const timeline = dialog.getByRole('list', { name: 'Order progress' });
    await timeline.waitFor();
    const steps = await timeline.getByRole('listitem').allTextContents();
    const labels = ['Order placed', 'Paid', 'Processing', 'Shipped'];
    let at = -1;
    for (const label of labels) {
      const i = steps.findIndex((s, k) => k > at && s.includes(label));
      assert.ok(i > at, `the timeline lists "${label}" after the steps before it (${JSON.stringify(steps)})`);
      at = i;
    }
    const current = timeline.locator('[aria-current="step"]');
    assert.equal(await current.count(), 1, 'one step is the current one');
    assert.match((await current.textContent()) ?? '', /Shipped/);
    await timeline.getByText('Carrier: UPS').waitFor();
    const link = timeline.getByRole('link', { name: `Track parcel ${DEMO_TRACKING} (opens in a new tab)` });
    assert.equal(await link.getAttribute('href'), `https://www.ups.com/track?tracknum=${DEMO_TRACKING}`);
    assert.equal(await link.getAttribute('target'), '_blank');
    assert.match((await link.getAttribute('rel')) ?? '', /noopener/);
    await screenshot(page, 'order-timeline', { fullPage: false });

    await page.setViewportSize({ width: 375, height: 812 });
    const box = await link.boundingBox();
    assert.ok(box && box.x >= 0 && box.x + box.width <= 375, 'the tracking link is within a phone screen');
    const overflow = await dialog.evaluate((el) => el.scrollWidth - el.clientWidth);
    assert.ok(overflow <= 0, `the drawer does not scroll sideways (${overflow}px)`);
    await screenshot(page, 'order-timeline-phone', { fullPage: false });
  }),
);

test('"Download my data" saves the member\'s data as a JSON file, once a minute', { timeout: TEST_TIMEOUT_MS }, (t) =>
  withDashboard(t, async ({ server, page }) => {
    await signIn(page, server);
    const region = page.getByRole('region', { name: 'Your data' });
    const button = region.getByRole('button', { name: 'Download my data' });
    const downloading = page.waitForEvent('download');
    await button.click();
    const download = await downloading;
    assert.match(download.suggestedFilename(), /^babes-club-\d{4}-\d{2}-\d{2}\.json$/);
    const path = await download.path();
    const data = JSON.parse(readFileSync(path, 'utf8'));
    assert.equal(data.profile.email, 'demo@babesclub.example');
    assert.equal(data.orders.length, DEMO_ORDERS, 'every order');
    assert.ok(data.orders.some((/** @type {any} */ o) => o.fulfillment?.trackingNumber === DEMO_TRACKING), 'with its timeline');
    assert.equal(data.nfts.length, 4, 'every NFT');
    assert.ok(data.emails.some((/** @type {any} */ e) => e.email === DEMO_GUEST_EMAIL && !e.verified), 'the pending checkout email');
    await region.getByText(`Your download has started: ${download.suggestedFilename()}.`).waitFor();

    // A second download within the minute is refused with the server's message.
    await button.click();
    await region.getByRole('alert').getByText(/You can download your data once a minute/).waitFor();
    assert.match((await region.getByRole('alert').textContent()) ?? '', /You can try again in (about 1 minute|\d+ seconds?)\./, 'with the wait from Retry-After');
  }),
);

test('a wallet is added and proven through the browser wallet, made primary, and removed', { timeout: TEST_TIMEOUT_MS }, (t) =>
  withDashboard(t, async ({ server, page, context }) => {
    const wallet = await installTestWallet(context, { accounts: [TEST_KEYS[0]] });
    const address = wallet.addresses[0] ?? '';
    await signIn(page, server);
    const panel = page.getByRole('region', { name: 'Wallets' });
    const list = panel.getByRole('list', { name: 'Your wallets' });
    await list.waitFor();
    const before = await list.getByRole('listitem').count();

    await panel.getByRole('button', { name: 'Add wallet' }).click();
    const row = list.getByRole('listitem').filter({ hasText: address.slice(-4) });
    await row.getByText('Verified', { exact: true }).waitFor();
    assert.equal(await list.getByRole('listitem').count(), before + 1, 'one wallet more');
    const signed = wallet.requests.filter((r) => r.method === 'personal_sign');
    assert.equal(signed.length, 1, 'the page asked the wallet to sign once');
    await screenshot(panel, 'wallets');

    // The server holds the proof: the list says so after a reload too.
    await page.reload();
    await row.getByText('Verified', { exact: true }).waitFor();

    await row.getByRole('button', { name: `Make primary ${address}` }).click();
    // The demo primary is unverified: the panel asks first, as the server removes it when another takes its place.
    await row.getByRole('group', { name: /^Make 0x.* your primary wallet\?$/ }).getByRole('button', { name: 'Yes, make primary' }).click();
    await row.getByText('Primary', { exact: true }).waitFor();

    await row.getByRole('button', { name: `Remove ${address}` }).click();
    // The question names the wallet as the panel shows it, shortened (0x1234…abcd).
    await panel.getByRole('group', { name: /^Remove 0x/ }).getByRole('button', { name: 'Yes, remove' }).click();
    await row.waitFor({ state: 'detached' });
  }),
);

/**
 * The chain the smart-contract wallet test runs: the dev chain answers with Sepolia's id and serve is started with
 * NFT_CHAIN=sepolia, so the challenges' "Chain ID" is the chain ETH_RPC_URL serves (otherwise serve refuses the
 * wallet's answer as another chain's).
 */
const CONTRACT_WALLET_CHAIN = { name: 'sepolia', id: 11155111 };

test('a smart-contract wallet (ERC-1271) is added: another key\'s signature leaves it unverified, its owner\'s verifies it as a smart wallet', { timeout: TEST_TIMEOUT_MS }, (t) =>
  withDashboard(t, async ({ startServer, page, context }) => {
    const owner = addressOf(TEST_KEYS[0]);
    const chain = await startDevChain({ owner, chainId: CONTRACT_WALLET_CHAIN.id });
    t.after(chain.stop);
    const address = chain.wallet;
    assert.notEqual(address.toLowerCase(), owner.toLowerCase(), 'the wallet is the contract, not its owner key');
    const server = await startServer({ env: { ETH_RPC_URL: chain.url, NFT_CHAIN: CONTRACT_WALLET_CHAIN.name } });
    // The browser wallet presents the contract's address, as a smart wallet's app does, and signs with a key
    // that does not own it.
    const wallet = await installTestWallet(context, { chainId: chain.chainId, accounts: [{ privateKey: TEST_KEYS[1], address }] });
    await signIn(page, server);
    const panel = page.getByRole('region', { name: 'Wallets' });
    const list = panel.getByRole('list', { name: 'Your wallets' });
    await list.waitFor();
    const row = list.getByRole('listitem').filter({ hasText: address });
    assert.equal(await row.count(), 0, 'the contract wallet is not listed before');
    const verifyResponse = () => page.waitForResponse((r) => new URL(r.url()).pathname === '/dashboard/wallets/verify');

    const refused = verifyResponse();
    await panel.getByRole('button', { name: 'Add wallet' }).click();
    assert.equal((await refused).status(), 400, 'the contract refuses a signature by a key that does not own it');
    await panel.getByRole('alert').filter({ hasText: 'is on your list, but not verified' }).waitFor();
    await row.getByText('Not verified', { exact: true }).waitFor();
    const signed = wallet.requests.filter((r) => r.method === 'personal_sign');
    assert.equal(signed.length, 1, 'the page asked the wallet to sign once');
    const [data, signer] = /** @type {[string, string]} */ (signed[0]?.params ?? []);
    assert.equal(signer.toLowerCase(), address.toLowerCase(), 'the contract wallet was asked to sign');
    assert.match(new TextDecoder().decode(messageBytes(data)), new RegExp(`^Chain ID: ${chain.chainId}$`, 'm'), 'the challenge names the chain ETH_RPC_URL serves');
    // The refusal changed nothing: after a reload the wallet is still unverified and not a smart wallet.
    await page.reload();
    await row.getByText('Not verified', { exact: true }).waitFor();
    assert.equal(await row.getByText('Smart wallet', { exact: true }).count(), 0, 'no smart-wallet badge for an unproven wallet');

    // The member switches the wallet app to the owner's key and verifies the wallet from its row.
    wallet.setAccounts([{ privateKey: TEST_KEYS[0], address }]);
    const accepted = verifyResponse();
    await row.getByRole('button', { name: `Verify ${address}` }).click();
    assert.equal((await accepted).status(), 200, 'the contract accepts its owner\'s signature');
    await row.getByText('Verified', { exact: true }).waitFor();
    await row.getByText('Smart wallet', { exact: true }).waitFor();
    await screenshot(panel, 'wallets-contract');

    // The server holds the proof and the kind: the list says so after a reload too.
    await page.reload();
    await row.getByText('Verified', { exact: true }).waitFor();
    await row.getByText('Smart wallet', { exact: true }).waitFor();
  }),
);
