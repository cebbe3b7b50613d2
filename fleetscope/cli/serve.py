"""`fleetscope serve --api`: the marts, read-only, for Backstage Cost Insights."""

from __future__ import annotations

import click

from fleetscope.cli.context import AppContext, pass_app


@click.command("serve")
@click.option("--api", "api", is_flag=True, required=True,
              help="Serve the Cost Insights API (the only thing `serve` serves today).")
@click.option("--host", help="Address to listen on [default: api.host, 127.0.0.1].")
@click.option("--port", type=click.IntRange(0, 65535),
              help="Port to listen on, 0 for any free one [default: api.port, 8086].")
@pass_app
def serve(app: AppContext, api: bool, host: str | None, port: int | None) -> None:
    """Serve the marts read-only over HTTP in the shapes of Backstage Cost Insights.

    Every request needs `Authorization: Bearer <token>`, the token being the value of the
    environment variable named by api.token_env (FLEETSCOPE_API_TOKEN). Endpoints under
    /api/cost-insights: user-groups, groups/{group}/daily-cost?intervals=R2/P30D/2026-11-01,
    groups/{group}/alerts, groups/{group}/projects, projects/{app}/daily-cost,
    products/{cpu|ram|gpu|storage}/insights?group=..., last-complete-billing-date.
    See docs/backstage.md; integrations/backstage/ holds the client.

    \b
    Example:
      FLEETSCOPE_API_TOKEN=$(cat token) fleetscope serve --api --port 8086
    """
    import os

    from fleetscope.errors import ConfigError
    from fleetscope.ops.cost_insights.server import ApiSettings, make_server

    config = app.config.api
    token = os.environ.get(config.token_env, "").strip()
    if not token:
        raise ConfigError(f"api.token_env: environment variable {config.token_env} is not set "
                          "or empty; the API serves no request without a bearer token")
    settings = ApiSettings(warehouse=app.warehouse_path, token=token,
                           cors_origin=config.cors_origin)
    server = make_server(settings, host or config.host, config.port if port is None else port)
    bound_port = server.server_address[1]
    # stdout, flushed: a supervisor (or a test) that asked for port 0 reads the port here
    click.echo(f"serving http://{host or config.host}:{bound_port}/api/cost-insights "
               "(Ctrl-C to stop)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


COMMANDS = [serve]
