import { assert, assertEquals } from "./assert.ts";
import {
  installKernel,
  KERNEL_DISPLAY_NAME,
  KERNEL_NAME,
  kernelHealth,
  kernelSpec,
  PINNED_DENO,
  repairKernel,
} from "../kernel/install.ts";
import { join } from "node:path";

Deno.test("kernelspec runs the pinned Deno as a Jupyter kernel with NO_COLOR", async () => {
  const spec = kernelSpec();
  assertEquals(spec.argv.slice(-4), ["jupyter", "--kernel", "--conn", "{connection_file}"]);
  assertEquals(spec.display_name, KERNEL_DISPLAY_NAME);
  assertEquals(spec.env, { NO_COLOR: "1" });
  // The command before "jupyter" must really be Deno 2.9.6.
  const command = spec.argv.slice(0, -4);
  const out = await new Deno.Command(command[0], { args: [...command.slice(1), "--version"] }).output();
  assert(out.success, `${command.join(" ")} --version failed`);
  assertEquals(new TextDecoder().decode(out.stdout).split("\n")[0].split(" ")[1], PINNED_DENO);
});

Deno.test("kernel:install honours JUPYTER_DATA_DIR and Jupyter finds the kernel", async () => {
  const dataDir = await Deno.makeTempDir();
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", "kernel:install"],
    env: { JUPYTER_DATA_DIR: dataDir, NO_COLOR: "1" },
  }).output();
  assert(out.success, new TextDecoder().decode(out.stderr));
  const written = JSON.parse(await Deno.readTextFile(join(dataDir, "kernels", KERNEL_NAME, "kernel.json")));
  assertEquals(written, kernelSpec());
  // Jupyter itself must list it under that name.
  const list = await new Deno.Command("jupyter", {
    args: ["kernelspec", "list", "--json"],
    env: { JUPYTER_DATA_DIR: dataDir },
  }).output();
  assert(list.success, "jupyter kernelspec list failed");
  const specs = JSON.parse(new TextDecoder().decode(list.stdout)).kernelspecs;
  assertEquals(specs[KERNEL_NAME].spec.display_name, KERNEL_DISPLAY_NAME);
  await Deno.remove(dataDir, { recursive: true });
});

Deno.test("installKernel replaces an older spec in place", async () => {
  const dataDir = await Deno.makeTempDir();
  const path = join(dataDir, "kernels", KERNEL_NAME, "kernel.json");
  await Deno.mkdir(join(dataDir, "kernels", KERNEL_NAME), { recursive: true });
  await Deno.writeTextFile(path, `{"argv": ["old-deno"], "display_name": "old"}`);
  assertEquals(await installKernel(dataDir), path);
  assertEquals(JSON.parse(await Deno.readTextFile(path)).display_name, KERNEL_DISPLAY_NAME);
  await Deno.remove(dataDir, { recursive: true });
});

Deno.test("a kernelspec whose Deno is gone (a cleared npx cache) is found and repaired, saying so", async () => {
  const dataDir = await Deno.makeTempDir();
  assertEquals(await kernelHealth(dataDir), { state: "missing" });
  assertEquals(await repairKernel(dataDir), undefined); // nothing installed: nothing to repair
  const path = join(dataDir, "kernels", KERNEL_NAME, "kernel.json");
  await Deno.mkdir(join(dataDir, "kernels", KERNEL_NAME), { recursive: true });
  const gone = "/nonexistent/npx-cache/deno";
  await Deno.writeTextFile(path, JSON.stringify({ ...kernelSpec(), argv: [gone, "jupyter", "--kernel"] }));
  assertEquals(await kernelHealth(dataDir), { state: "broken", deno: gone });
  const said = await repairKernel(dataDir);
  assertEquals(said, `the "${KERNEL_NAME}" kernelspec named a Deno that is gone (${gone}); reinstalled it at ${path}`);
  assertEquals(await kernelHealth(dataDir), { state: "ok" });
  await Deno.remove(dataDir, { recursive: true });
});
