// A script a TypeScript user would write against a client generated from the schema:
// sign up, sign in, create, list with a cursor, PATCH with If-Match from the declared
// ETag, and read typed problems. `tsc --strict` checks it before node runs it, so a
// schema that lies about a field, a header or an error fails here.
import createClient from "openapi-fetch";
import type { components, paths } from "./schema.js";

type Problem = components["schemas"]["Problem"];
type Status = components["schemas"]["ApplicationStatus"];

const baseUrl = process.env.FOLLOWUP_BASE_URL;
if (!baseUrl) throw new Error("FOLLOWUP_BASE_URL is not set");

function check(condition: boolean, what: string): asserts condition {
  if (!condition) throw new Error(`expected ${what}`);
}

function refused(problem: Problem, status: number): void {
  check(problem.status === status, `a ${status} problem, got ${JSON.stringify(problem)}`);
}

async function main(): Promise<void> {
  const anonymous = createClient<paths>({ baseUrl });
  const email = `ts-${Date.now()}@example.com`;
  const password = "typescript client";
  const registered = await anonymous.POST("/api/v1/auth/register", {
    body: { email, password, name: "Tess Script", timezone: "Europe/Berlin" },
  });
  check(registered.data !== undefined, `a registration: ${JSON.stringify(registered.error)}`);

  const grant = await anonymous.POST("/api/v1/auth/token", {
    body: { username: email, password },
    bodySerializer: (body) =>
      new URLSearchParams({ username: body.username, password: body.password }),
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
  });
  check(grant.data !== undefined, "an access token");
  const client = createClient<paths>({
    baseUrl,
    headers: { Authorization: `Bearer ${grant.data.access_token}` },
  });

  for (const company of ["Acme Corp", "Globex", "Initech"]) {
    const created = await client.POST("/api/v1/applications", {
      body: { company, role_title: "Backend Engineer", job_url: "https://example.com/jobs/1" },
      params: { header: { "Idempotency-Key": `ts-${company}` } },
    });
    check(created.data !== undefined, `${company} created`);
    check(created.response.status === 201, "201 Created");
    check(created.response.headers.get("Location") !== null, "a Location header");
    const status: Status = created.data.status;
    check(status === "applied", "the default status");
  }

  const first = await client.GET("/api/v1/applications", { params: { query: { limit: 2 } } });
  check(first.data !== undefined, "a first page");
  check(first.data.items.length === 2, "two items on the first page");
  const cursor = first.data.next_cursor;
  check(typeof cursor === "string", "a next cursor");
  check((first.response.headers.get("Link") ?? "").includes('rel="next"'), "a Link header");
  const rest = await client.GET("/api/v1/applications", {
    params: { query: { limit: 2, cursor } },
  });
  check(rest.data !== undefined && rest.data.items.length === 1, "the last one on page two");
  check(rest.data.next_cursor === null, "no page after the last");

  const application = first.data.items[0];
  const path = { application_id: application.id };
  const read = await client.GET("/api/v1/applications/{application_id}", { params: { path } });
  const etag = read.response.headers.get("ETag");
  check(etag !== null, "an ETag");
  const patched = await client.PATCH("/api/v1/applications/{application_id}", {
    params: { path, header: { "If-Match": etag } },
    body: { status: "interviewing", notes: "Recruiter called" },
  });
  check(patched.data !== undefined, `a PATCH: ${JSON.stringify(patched.error)}`);
  check(patched.data.status === "interviewing", "the new status");
  check(patched.data.version === application.version + 1, "a new version");

  // The ETag read before the PATCH is stale now: a typed 412 problem.
  const stale = await client.PATCH("/api/v1/applications/{application_id}", {
    params: { path, header: { "If-Match": etag } },
    body: { notes: "Overwrites nothing" },
  });
  check(stale.error !== undefined, "a refusal");
  refused(stale.error, 412);

  // A rule the schema states (a name is never empty) answered as a typed 422.
  const invalid = await client.PATCH("/api/v1/applications/{application_id}", {
    params: { path },
    body: { company: "" },
  });
  check(invalid.error !== undefined, "a validation problem");
  refused(invalid.error, 422);
  const where = (invalid.error.errors ?? []).map((e) => e.loc.join("."));
  check(where.includes("body.company"), `an error at body.company, got ${where}`);

  const missing = await client.GET("/api/v1/applications/{application_id}", {
    params: { path: { application_id: "00000000-0000-4000-8000-000000000000" } },
  });
  check(missing.error !== undefined, "a 404");
  refused(missing.error, 404);
  console.log("typescript client: ok");
}

await main();
