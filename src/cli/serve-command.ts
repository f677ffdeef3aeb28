import type { Command } from 'commander';

import type { Settings } from '../config/settings.js';
import { createFaultline, type Faultline } from '../faultline.js';
import { DemoScenario } from '../events/demo-scenario.js';
import { loadDemoTopology } from '../topology/demo-loader.js';
import type { Output } from './output.js';
import type { SettingsSource } from './settings-source.js';

const DEMO_TOKEN_NAME = 'demo';

/** Loads the demo into an empty database and issues a fresh write token named "demo". */
async function prepareDemo(faultline: Faultline, out: Output): Promise<string> {
  const result = await loadDemoTopology(faultline.registry, faultline.writer);
  if (result.loaded) {
    const counts = Object.entries(result.counts).map(([k, v]) => `${v} ${k.replace(/_/g, ' ')}`);
    out.line(`Loaded the demo topology: ${counts.join(', ')}.`);
  } else {
    out.line('The database already holds a topology; the demo was not loaded again.');
  }
  await faultline.tokens.revoke(DEMO_TOKEN_NAME);
  const { key } = await faultline.tokens.create({ name: DEMO_TOKEN_NAME, writeEnabled: true });
  return key;
}

function banner(out: Output, url: string, key: string | null): void {
  out.line(`Faultline is serving at ${url}/`);
  out.line(`  API:        ${url}/api/plugins/business-application/`);
  out.line(`  API docs:   ${url}/api/docs/`);
  if (key !== null) {
    out.line(`  Write token: ${key}`);
    out.line('Try:');
    out.line(
      `  curl -H "Authorization: Token ${key}" ` +
        `${url}/api/plugins/business-application/technical-services/`,
    );
  }
}

/**
 * Sends incident notifications in the background. It always runs: PagerDuty events go out
 * whenever a routing key applies, and a service or application may be given one at any time.
 */
function startDeliveries(faultline: Faultline): void {
  const automation = faultline.settings.automation;
  faultline.deliveries.start();
  faultline.logger.info(
    {
      webhooks: automation.notificationsEnabled ? automation.notificationWebhooks.length : 0,
      pagerduty_default_key: automation.pagerdutyRoutingKey !== null,
    },
    'notification delivery started',
  );
}

/** What --demo changes unless the environment or config file says otherwise. */
export const DEMO_DEFAULTS = { BUSINESS_APP_AUTO_RESOLVE_INCIDENTS: true };

export async function serve(settings: Settings, demo: boolean, out: Output): Promise<Faultline> {
  const faultline = await createFaultline({ settings });
  const key = demo ? await prepareDemo(faultline, out) : null;
  const scenario = demo
    ? new DemoScenario(faultline.pipeline, faultline.logger.child({ component: 'demo' }))
    : null;

  // Loading starts before the server listens, so that /readyz says 503 until it is done.
  const loaded = faultline.loadIndexes();
  // A failure is thrown where it is awaited, below, not as an unhandled rejection meanwhile.
  loaded.catch(() => undefined);
  const address = await faultline.api.listen({ host: settings.host, port: settings.port });
  await loaded;
  faultline.logger.info({ address, database: faultline.database.dialect.name }, 'server started');
  startDeliveries(faultline);
  banner(out, settings.baseUrl ?? address, key);
  if (scenario !== null) {
    scenario.start();
    out.line('Demo alerts start in 5 seconds: watch incidents open, grow and resolve at');
    out.line(`  ${settings.baseUrl ?? address}/api/plugins/business-application/incidents/`);
  }

  const stop = (signal: string) => {
    faultline.logger.info({ signal }, 'server stopping');
    scenario?.stop();
    faultline.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return faultline;
}

export function registerServeCommand(
  program: Command,
  settings: SettingsSource,
  out: Output,
): void {
  program
    .command('serve')
    .description('Migrate the database and serve the API')
    .option('--demo', 'load the demo topology into an empty database and print a write token')
    .action(async (options: { demo?: boolean }) => {
      const demo = options.demo === true;
      await serve(settings(demo ? DEMO_DEFAULTS : {}), demo, out);
    });
}
