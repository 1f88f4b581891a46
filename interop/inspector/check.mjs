// Interop check: the MCP Inspector CLI (@modelcontextprotocol/inspector, --cli) against a running
// server's /mcp, as a new user would try it: tools/list (with the Inspector's --strict schema
// portability check), one remember and one recall, the prompts and the project resource.
// Usage: MCP_URL=http://127.0.0.1:PORT/mcp node interop/inspector/check.mjs
// The Inspector declares Node >= 22.19 (npm warns EBADENGINE on this machine's Node 20); the CLI calls
// made here run on Node 20, and this check is what shows it.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import path from "node:path";

const url = process.env.MCP_URL;
if (!url) {
  console.error("MCP_URL is required, e.g. http://127.0.0.1:26262/mcp");
  process.exit(2);
}
const here = path.dirname(fileURLToPath(import.meta.url));
const bin = path.join(here, "node_modules", ".bin", "mcp-inspector");

function inspector(...args) {
  return new Promise((resolve, reject) => {
    execFile(bin, ["--cli", url, ...args], { timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) {
        reject(new Error(`mcp-inspector ${args.join(" ")} failed (${err.code ?? err.signal}): ${stderr || stdout}`));
      } else {
        resolve({ json: JSON.parse(stdout), stderr });
      }
    });
  });
}

function check(condition, message) {
  if (!condition) {
    throw new Error(message);
  }
}

const text = (result) => (result.content ?? []).filter((c) => c.type === "text").map((c) => c.text).join("\n");

async function main() {
  const listed = await inspector("--method", "tools/list", "--strict");
  const names = listed.json.tools.map((t) => t.name);
  for (const name of ["remember", "recall", "forget", "update_memory", "get_context", "get_project_rules"]) {
    check(names.includes(name), `tools/list lacks ${name}: ${names.join(", ")}`);
  }
  check(!names.some((n) => n.startsWith("migrat")), `the default profile lists operator tools: ${names.join(", ")}`);
  // --strict reports schema portability problems on stderr (errors exit 6, warnings do not)
  check(!/warning|error/i.test(listed.stderr), `--strict found schema problems:\n${listed.stderr}`);
  console.log(`inspector tools/list: ${names.length} tools, --strict clean`);

  const fact = `The inspector interop team deploys on Thursdays (${Date.now()})`;
  const remembered = await inspector("--method", "tools/call", "--tool-name", "remember",
    "--tool-arg", `content=${fact}`, "type=fact");
  check(!remembered.json.isError, `remember failed: ${text(remembered.json)}`);
  const id = remembered.json.structuredContent?.id;
  check(typeof id === "string" && text(remembered.json).includes(id), `remember's text does not name the id: ${text(remembered.json)}`);
  console.log(`inspector remember: ${text(remembered.json).split("\n")[0]}`);

  const recalled = await inspector("--method", "tools/call", "--tool-name", "recall",
    "--tool-arg", "query=when does the inspector interop team deploy", "limit=3");
  check(!recalled.json.isError, `recall failed: ${text(recalled.json)}`);
  check(text(recalled.json).includes(fact) && text(recalled.json).includes(id),
    `recall's text lacks the remembered memory: ${text(recalled.json)}`);
  check(!text(recalled.json).includes("{"), `recall's text repeats the JSON: ${text(recalled.json)}`);
  console.log(`inspector recall: ${text(recalled.json).split("\n")[0]}`);

  const prompts = await inspector("--method", "prompts/list");
  check(prompts.json.prompts.some((p) => p.name === "recall_before_answering"), "prompts/list lacks recall_before_answering");
  const resource = await inspector("--method", "resources/read", "--uri", "memory://context/interop");
  check(resource.json.contents?.[0]?.text?.startsWith("# Project interop"), `resources/read: ${JSON.stringify(resource.json)}`);
  console.log("inspector prompts/list + resources/read: ok");
}

main().then(() => console.log("inspector interop: ok"), (err) => {
  console.error(`inspector interop: FAILED: ${err.message}`);
  process.exit(1);
});
