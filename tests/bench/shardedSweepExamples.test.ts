/**
 * examples/sharded-sweep: the GitHub Actions matrix workflow and the
 * Kubernetes Indexed Job, parsed as YAML and checked for the facts that make
 * them a correct sharded sweep: N runners, each given its own index of the
 * same N, each keeping its report, credentials referenced and never written
 * into the file. No engine runs here; the CLI's flags are tested in tests/cli.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import yaml from "js-yaml";

const FOLDER = path.resolve(__dirname, "../../examples/sharded-sweep");
const read = (file: string) => fs.readFileSync(path.join(FOLDER, file), "utf8");

type Tree = Record<string, any>;

/** Every [key, value] pair of string values in a parsed document, at any depth. */
function stringEntries(node: unknown, key = ""): [string, string][] {
  if (typeof node === "string") return [[key, node]];
  if (Array.isArray(node)) return node.flatMap((v) => stringEntries(v, key));
  if (node && typeof node === "object") return Object.entries(node).flatMap(([k, v]) => stringEntries(v, k));
  return [];
}

/** Names of settings that hold credentials. */
const CREDENTIAL = /CLIENT_SECRET|ACCESS_TOKEN|PASSWORD|CLIENT_ID/i;

describe("examples/sharded-sweep", () => {
  describe("github-actions.yml", () => {
    const workflow = yaml.load(read("github-actions.yml")) as Tree;
    const step = (job: Tree, pattern: RegExp) => {
      const found = (job.steps as Tree[]).filter((s) => typeof s.run === "string" && pattern.test(s.run));
      assert.equal(found.length, 1, `one step runs ${pattern}`);
      return found[0];
    };

    it("runs one sweep job per shard of a matrix of 4, none cancelling the others", () => {
      const job = workflow.jobs.sweep;
      assert.deepEqual(job.strategy.matrix.shard, [0, 1, 2, 3]);
      assert.equal(job.strategy["fail-fast"], false);
    });

    it("gives each job the matrix value as its shard of as many shards as the matrix has, and a report named after it", () => {
      const job = workflow.jobs.sweep;
      const run: string = step(job, /pingone-sessions sweep/).run;
      assert.match(run, /^npx pingone-sessions sweep /);
      const shard = /--shard (.+?)\/(\d+) /.exec(run);
      assert.ok(shard, run);
      assert.equal(shard[1], "${{ matrix.shard }}");
      assert.equal(Number(shard[2]), job.strategy.matrix.shard.length);
      assert.match(run, /--report sweep-\$\{\{ matrix\.shard \}\}\.jsonl/);
      assert.match(run, /--environment "\$SWEEP_ENVIRONMENT" --population "\$SWEEP_POPULATION"/);
      // No terminal in CI: without --yes a large sweep refuses.
      assert.match(run, /--yes/);
      // Inputs reach the shell as variables, never pasted into the script.
      assert.doesNotMatch(run, /\$\{\{\s*(inputs|github\.event)/);
    });

    it("uploads each shard's report as an artifact, also when the sweep failed", () => {
      const upload = (workflow.jobs.sweep.steps as Tree[]).find((s) =>
        String(s.uses).startsWith("actions/upload-artifact@"),
      );
      assert.ok(upload);
      assert.equal(upload.if, "always()");
      assert.equal(upload.with.path, "sweep-${{ matrix.shard }}.jsonl");
      assert.equal(upload.with.name, "sweep-${{ matrix.shard }}");
    });

    it("takes every credential from the repository's secrets, for both jobs", () => {
      for (const name of ["sweep", "pulumi"]) {
        const env = workflow.jobs[name].env as Record<string, string>;
        for (const key of ["PINGONE_CLIENT_ID", "PINGONE_CLIENT_SECRET", "PINGONE_ENVIRONMENT_ID"])
          assert.equal(env[key], `\${{ secrets.${key} }}`, `${name}: ${key}`);
      }
      const credentials = stringEntries(workflow).filter(([key]) => CREDENTIAL.test(key));
      assert.ok(credentials.length >= 4);
      for (const [key, value] of credentials)
        assert.match(value, /^\$\{\{ secrets\.[A-Z_]+ \}\}$/, `${key} is not a secret reference`);
    });

    it("has a Pulumi variant: one stack per shard of the same matrix, its shard in stack config", () => {
      const job = workflow.jobs.pulumi;
      assert.deepEqual(job.strategy.matrix.shard, [0, 1, 2, 3]);
      const run: string = step(job, /pulumi up/).run;
      assert.match(run, /pulumi stack select --create shard-\$\{\{ matrix\.shard \}\}/);
      assert.match(run, /pulumi config set --path shard\.index \$\{\{ matrix\.shard \}\}/);
      assert.match(run, /pulumi config set --path shard\.count 4\b/);
      // Credentials stay in the environment: none is written into stack config.
      assert.doesNotMatch(run, /pingone:client|SECRET/);
    });
  });

  describe("k8s-indexed-job.yaml", () => {
    const documents = yaml.loadAll(read("k8s-indexed-job.yaml")) as Tree[];
    const job = documents.find((d) => d.kind === "Job")!;
    const container = () => {
      const containers = job.spec.template.spec.containers as Tree[];
      assert.equal(containers.length, 1);
      return containers[0];
    };
    const envOf = (name: string) => (container().env as Tree[]).find((e) => e.name === name);

    it("is an Indexed Job of 4 completions, all 4 at once", () => {
      assert.ok(job);
      assert.equal(job.apiVersion, "batch/v1");
      assert.equal(job.spec.completionMode, "Indexed");
      assert.equal(job.spec.completions, 4);
      assert.equal(job.spec.parallelism, 4);
      assert.equal(job.spec.template.spec.restartPolicy, "Never");
    });

    it("runs the sweep with its shard read from JOB_COMPLETION_INDEX, and as many shards as completions", () => {
      const command = [...(container().command ?? []), ...(container().args ?? [])].join(" ");
      assert.match(command, /pingone-sessions sweep /);
      assert.match(command, /--shard-from-env/);
      assert.doesNotMatch(command, /--shard [0-9]/);
      assert.match(command, /--report "\/reports\/sweep-\$\{JOB_COMPLETION_INDEX\}\.jsonl"/);
      assert.match(command, /--yes/);
      assert.equal(envOf("PINGONE_SHARD_COUNT")?.value, String(job.spec.completions));
      const mount = (container().volumeMounts as Tree[]).find((m) => m.mountPath === "/reports");
      assert.ok(mount, "the reports go to a mounted volume");
    });

    it("takes the credentials from a Secret, and holds none itself", () => {
      for (const name of ["PINGONE_CLIENT_ID", "PINGONE_CLIENT_SECRET", "PINGONE_ENVIRONMENT_ID"]) {
        const entry = envOf(name);
        assert.equal(entry?.value, undefined, `${name} has no value inline`);
        assert.equal(entry?.valueFrom?.secretKeyRef?.name, "pingone-sweeper", name);
      }
      assert.ok(!documents.some((d) => d.kind === "Secret"), "no Secret object in the manifest");
      const inline = (container().env as Tree[]).filter((e) => CREDENTIAL.test(e.name) && e.value !== undefined);
      assert.deepEqual(inline, []);
    });
  });
});
