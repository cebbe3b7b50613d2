/**
 * A CostInsightsApi for the Backstage Cost Insights plugin that reads `fleetscope serve --api`.
 *
 * Drop it into a Backstage app (packages/app/src/apis.ts):
 *
 *   createApiFactory({
 *     api: costInsightsApiRef,
 *     deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
 *     factory: ({ discoveryApi, fetchApi }) => new FleetscopeCostInsightsClient({
 *       baseUrl: async () => `${await discoveryApi.getBaseUrl('proxy')}/fleetscope`,
 *       fetchApi,
 *     }),
 *   })
 *
 * with a Backstage proxy entry `/fleetscope` that adds the bearer token server-side (the token
 * then never reaches a browser); or pass `token` when calling the server directly.
 *
 * The plugin's own types (Cost, Entity, Group, Project, MetricData) come from the published
 * @backstage/plugin-cost-insights-common. Its Alert and ProductInsightsOptions live in the
 * React plugin package (@backstage/plugin-cost-insights, dist/index.d.ts); they are mirrored
 * here structurally so this client needs no React: a FleetscopeAlert is an Alert (title and
 * subtitle strings, every other Alert field optional).
 */
import type {
  Cost,
  Entity,
  Group,
  Maybe,
  MetricData,
  Project,
} from '@backstage/plugin-cost-insights-common';

/** The plugin's ProductInsightsOptions (cost-insights 0.11.32, dist/index.d.ts). */
export type ProductInsightsOptions = {
  product: string;
  group: string;
  intervals: string;
  project: Maybe<string>;
};

/** One row of fleetscope's mart_alerts, as the plugin's Alert (plain-text title/subtitle). */
export type FleetscopeAlert = {
  title: string;
  subtitle: string;
  url?: string;
  id: string;
  kind: 'budget' | 'anomaly' | 'migration';
  severity: 'info' | 'warning' | 'critical';
  raisedOn: string;
  amount: number | null;
  project: string | null;
  cluster: string | null;
};

/** The methods of the plugin's CostInsightsApi (cost-insights 0.11.32). */
export interface CostInsightsApiMethods {
  getLastCompleteBillingDate(): Promise<string>;
  getUserGroups(userId: string): Promise<Group[]>;
  getGroupProjects(group: string): Promise<Project[]>;
  getGroupDailyCost(group: string, intervals: string): Promise<Cost>;
  getProjectDailyCost(project: string, intervals: string): Promise<Cost>;
  getDailyMetricData(metric: string, intervals: string): Promise<MetricData>;
  getProductInsights(options: ProductInsightsOptions): Promise<Entity>;
  getAlerts(group: string): Promise<FleetscopeAlert[]>;
}

export type FleetscopeClientOptions = {
  /** The server's root (`http://127.0.0.1:8086`) or a function giving it (discoveryApi). */
  baseUrl: string | (() => Promise<string>);
  /** The bearer token, when not added by a proxy. */
  token?: string;
  /** Backstage's fetchApi (adds the user's identity); the global fetch otherwise. */
  fetchApi?: { fetch: typeof fetch };
};

/** An error answer of the server: its status and its `error` message. */
export class FleetscopeApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(`fleetscope API ${status}: ${message}`);
    this.name = 'FleetscopeApiError';
  }
}

const PREFIX = '/api/cost-insights';
const seg = encodeURIComponent;

export class FleetscopeCostInsightsClient implements CostInsightsApiMethods {
  constructor(private readonly options: FleetscopeClientOptions) {}

  private async get<T>(path: string, query: Record<string, Maybe<string>> = {}): Promise<T> {
    const { baseUrl, token, fetchApi } = this.options;
    const root = typeof baseUrl === 'string' ? baseUrl : await baseUrl();
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value) params.set(key, value);
    }
    const search = params.toString() ? `?${params}` : '';
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (token) headers.Authorization = `Bearer ${token}`;
    const doFetch = fetchApi ? fetchApi.fetch.bind(fetchApi) : fetch;
    const response = await doFetch(`${root.replace(/\/$/, '')}${PREFIX}${path}${search}`, {
      headers,
    });
    const body = await response.json().catch(() => ({ error: response.statusText }));
    if (!response.ok) throw new FleetscopeApiError(response.status, String(body.error));
    return body as T;
  }

  async getLastCompleteBillingDate(): Promise<string> {
    const { date } = await this.get<{ date: string | null }>('/last-complete-billing-date');
    if (!date) throw new FleetscopeApiError(404, 'the warehouse holds no team cost yet');
    return date;
  }

  // The server knows no users: every team is offered (Backstage's catalog can narrow it).
  getUserGroups(_userId: string): Promise<Group[]> {
    return this.get<Group[]>('/user-groups');
  }

  getGroupProjects(group: string): Promise<Project[]> {
    return this.get<Project[]>(`/groups/${seg(group)}/projects`);
  }

  getGroupDailyCost(group: string, intervals: string): Promise<Cost> {
    return this.get<Cost>(`/groups/${seg(group)}/daily-cost`, { intervals });
  }

  getProjectDailyCost(project: string, intervals: string): Promise<Cost> {
    return this.get<Cost>(`/projects/${seg(project)}/daily-cost`, { intervals });
  }

  // fleetscope has no business metrics: configure none in app-config.yaml (costInsights.metrics)
  async getDailyMetricData(metric: string, _intervals: string): Promise<MetricData> {
    throw new FleetscopeApiError(404, `fleetscope serves no metric ${metric}`);
  }

  getProductInsights(options: ProductInsightsOptions): Promise<Entity> {
    return this.get<Entity>(`/products/${seg(options.product)}/insights`, {
      group: options.group,
      intervals: options.intervals,
      project: options.project,
    });
  }

  getAlerts(group: string): Promise<FleetscopeAlert[]> {
    return this.get<FleetscopeAlert[]>(`/groups/${seg(group)}/alerts`);
  }
}
