/**
 * Calls every method of the client against a running server and prints one JSON object
 * (method name -> result, or {error, status}) for the contract test to check.
 *
 *   node dist/scripts/exercise.js BASE_URL GROUP PROJECT INTERVALS   (token: FLEETSCOPE_API_TOKEN)
 */
import { FleetscopeApiError, FleetscopeCostInsightsClient } from '../src/client';

async function settle(call: () => Promise<unknown>): Promise<unknown> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof FleetscopeApiError) return { error: error.message, status: error.status };
    throw error;
  }
}

async function main(): Promise<void> {
  const [baseUrl, group, project, intervals] = process.argv.slice(2);
  const client = new FleetscopeCostInsightsClient({
    baseUrl,
    token: process.env.FLEETSCOPE_API_TOKEN,
  });
  const calls: Record<string, () => Promise<unknown>> = {
    getLastCompleteBillingDate: () => client.getLastCompleteBillingDate(),
    getUserGroups: () => client.getUserGroups('someone'),
    getGroupProjects: () => client.getGroupProjects(group),
    getGroupDailyCost: () => client.getGroupDailyCost(group, intervals),
    getProjectDailyCost: () => client.getProjectDailyCost(project, intervals),
    getDailyMetricData: () => client.getDailyMetricData('engineers', intervals),
    getProductInsights: () =>
      client.getProductInsights({ product: 'cpu', group, intervals, project: null }),
    getAlerts: () => client.getAlerts(group),
    unknownGroup: () => client.getGroupDailyCost('no-such-team', intervals),
  };
  const results: Record<string, unknown> = {};
  for (const [name, call] of Object.entries(calls)) results[name] = await settle(call);
  process.stdout.write(JSON.stringify(results));
}

main().catch((error) => {
  process.stderr.write(`${error}\n`);
  process.exit(1);
});
