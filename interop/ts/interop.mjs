// Interop check: the official TypeScript MCP SDK (Streamable HTTP client) against the memory
// service's /mcp endpoint. Usage: MCP_URL=http://127.0.0.1:26262/mcp node interop.mjs
// Prints "interop ok" and exits 0, or prints the failure and exits 1.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const url = process.env.MCP_URL;
if (!url) {
  console.error("interop: set MCP_URL, e.g. http://127.0.0.1:26262/mcp");
  process.exit(2);
}
// A whole run may take 60 s at most (a hung server must not hang CI).
setTimeout(() => {
  console.error("interop: timed out after 60 s");
  process.exit(1);
}, 60_000).unref();

function check(cond, message) {
  if (!cond) {
    throw new Error(message);
  }
}

const text = (result) => (result.content ?? []).filter((c) => c.type === "text").map((c) => c.text).join("\n");

const persona = `interop-ts-${process.pid}`;
const transport = new StreamableHTTPClientTransport(new URL(url), {
  requestInit: { headers: { "X-Persona": persona } },
});
const client = new Client({ name: "memory-interop-ts", version: "1.0.0" });

try {
  await client.connect(transport);
  const server = client.getServerVersion();
  console.log(`connected: ${server?.name} ${server?.version}, protocol ${transport.protocolVersion ?? "?"}, session ${transport.sessionId ?? "none"}`);

  const { tools } = await client.listTools();
  const names = tools.map((t) => t.name);
  console.log(`tools: ${names.join(", ")}`);
  for (const name of ["remember", "recall", "forget", "get_context"]) {
    check(names.includes(name), `tools/list lacks ${name}`);
  }

  const fact = `The interop test deploys to region eu-west-3 (run ${process.pid})`;
  const remembered = await client.callTool({ name: "remember", arguments: { content: fact, type: "fact" } });
  check(!remembered.isError, `remember failed: ${text(remembered)}`);
  console.log(`remember: ${text(remembered).split("\n")[0]}`);

  const recalled = await client.callTool({ name: "recall", arguments: { query: "which region does the interop test deploy to?" } });
  check(!recalled.isError, `recall failed: ${text(recalled)}`);
  check(text(recalled).includes(fact), `recall did not return the remembered text: ${text(recalled).slice(0, 500)}`);
  console.log(`recall: ${text(recalled).split("\n")[0]}`);

  const bad = await client.callTool({ name: "remember", arguments: { content: "x", importance: 7 } });
  check(bad.isError === true && text(bad).includes("importance"), `invalid importance was not a tool error naming the field: ${text(bad)}`);

  if (transport.sessionId) {
    await transport.terminateSession();
  }
  await client.close();
  console.log("interop ok");
  process.exit(0);
} catch (err) {
  console.error(`interop failed: ${err?.stack ?? err}`);
  await client.close().catch(() => {});
  process.exit(1);
}
