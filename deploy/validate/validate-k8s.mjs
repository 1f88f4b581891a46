// Validates Kubernetes manifests against the API's JSON schemas as compiled into the
// kubernetes-models npm package (offline: nothing is fetched at run time): types, required
// fields, enums and formats. Like kubeconform without -strict, fields the schema does not define
// are not reported. Usage: node validate-k8s.mjs FILE...
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseAllDocuments } from "yaml";

let failed = 0;
let checked = 0;

async function modelFor(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : [null, apiVersion];
  const path = group ? `kubernetes-models/${group}/${version}/${kind}` : `kubernetes-models/${version}/${kind}`;
  return (await import(path))[kind];
}

for (const file of process.argv.slice(2)) {
  for (const doc of parseAllDocuments(readFileSync(file, "utf8"))) {
    if (doc.errors.length) {
      console.error(`FAIL ${file}: YAML: ${doc.errors[0].message}`);
      failed++;
      continue;
    }
    const obj = doc.toJS();
    if (!obj) continue;
    checked++;
    if (obj.kind === "Kustomization") { // not an API object: its resources must exist
      const missing = (obj.resources ?? []).filter(r => !existsSync(join(dirname(file), r)));
      if (missing.length) {
        console.error(`FAIL ${file}: Kustomization lists missing files ${missing.join(", ")}`);
        failed++;
      } else {
        console.log(`ok   ${file}: Kustomization (${obj.resources.length} resources)`);
      }
      continue;
    }
    const name = `${file}: ${obj.kind}/${obj.metadata?.name}`;
    let Model;
    try {
      Model = await modelFor(String(obj.apiVersion), String(obj.kind));
    } catch {
      console.error(`FAIL ${name}: unknown apiVersion/kind ${obj.apiVersion} ${obj.kind}`);
      failed++;
      continue;
    }
    try {
      new Model(obj).validate();
      console.log(`ok   ${name}`);
    } catch (e) {
      console.error(`FAIL ${name}: ${e.message}`);
      failed++;
    }
  }
}
console.log(`k8s manifests: ${checked - failed} passed, ${failed} failed`);
process.exit(failed || checked === 0 ? 1 : 0);
