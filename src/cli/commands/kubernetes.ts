import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Option } from '@commander-js/extra-typings';
import { terminalBlock, terminalLine } from '../../support/terminal-text.ts';
import { EXIT_FAILURE } from '../exit-codes.ts';
import { listenAddress } from '../options.ts';
import type { RegisterCommand } from './register-command.ts';

// The scenario `simulate` runs when none is given: a small shop on two nodes.
const DEFAULT_SCENARIO = fileURLToPath(
  new URL('../../../examples/kubernetes/simulator/shop.yaml', import.meta.url),
);

export const registerKubernetes: RegisterCommand = (program) => {
  const kubernetes = program
    .command('kubernetes')
    .description(
      'Kubernetes tools: the least RBAC a config needs, and a simulated cluster to try mend on.',
    );
  kubernetes
    .command('rbac')
    .description(
      'Print the Roles, ClusterRole and bindings (YAML for kubectl apply -f -) that grant mend exactly what the config’s Kubernetes steps and watches need.',
    )
    .requiredOption('-c, --config <paths...>', 'config files or folders (*.yaml, *.yml)')
    .option('--service-account <name>', 'the ServiceAccount mend runs as', 'mend')
    .option('--namespace <name>', 'the ServiceAccount’s namespace', 'mend')
    .option(
      '--context <name>',
      'print for this kubeconfig context (needed when the config acts through several)',
    )
    .action(async (options) => {
      const [{ formatErrors }, { loadMendConfig }, { configRbac }, { kubernetesNameProblem }] =
        await Promise.all([
          import('../../config/config-error.ts'),
          import('../../documents.ts'),
          import('../../runbooks/kubernetes-rbac.ts'),
          import('../../config/kinds/kubernetes-target.ts'),
        ]);
      const problem =
        kubernetesNameProblem(options.serviceAccount, 'name') ??
        kubernetesNameProblem(options.namespace, 'namespace');
      if (problem) {
        process.stderr.write(`mend kubernetes rbac: ${terminalBlock(problem)}\n`);
        process.exitCode = EXIT_FAILURE;
        return;
      }
      const loaded = await loadMendConfig(options.config);
      if (!loaded.config) {
        process.stderr.write(`${formatErrors(loaded.errors, loaded.moreErrors)}\n`);
        process.exitCode = EXIT_FAILURE;
        return;
      }
      const rbac = configRbac(loaded.config, {
        serviceAccount: options.serviceAccount,
        namespace: options.namespace,
        context: options.context,
      });
      if ('error' in rbac) {
        process.stderr.write(`mend kubernetes rbac: ${terminalBlock(rbac.error)}\n`);
        process.exitCode = EXIT_FAILURE;
        return;
      }
      if (rbac.permissions === 0) {
        process.stderr.write(
          'mend kubernetes rbac: the config has no Kubernetes steps or watches: it needs no RBAC\n',
        );
      }
      for (const step of rbac.unresolved) {
        process.stderr.write(
          `note: not in the Roles (where it acts is known only at run time; mend checks it then): ${terminalLine(step)}\n`,
        );
      }
      process.stdout.write(rbac.yaml);
    });
  kubernetes
    .command('simulate')
    .description(
      'Run a simulated Kubernetes cluster on loopback (real kubectl works against it), write a kubeconfig, and print the export KUBECONFIG line.',
    )
    .option(
      '--scenario <file>',
      'the KubernetesScenario to run (default: a small shop on two nodes)',
    )
    .option('--kubeconfig <path>', 'where to write the kubeconfig', '.mend/simulator.kubeconfig')
    .addOption(
      new Option('--listen <host:port>', 'address of the API server (port 0: any free port)')
        .argParser(listenAddress)
        .default(listenAddress('127.0.0.1:0'), '127.0.0.1:0'),
    )
    .action(async (options) => {
      const [{ loadScenario }, { startScenario }, { formatErrors }, { mkdir }] = await Promise.all([
        import('../../kubernetes/simulator/scenario-load.ts'),
        import('../../kubernetes/simulator/scenario-run.ts'),
        import('../../config/config-error.ts'),
        import('node:fs/promises'),
      ]);
      const file = options.scenario ?? DEFAULT_SCENARIO;
      const loaded = await loadScenario(file);
      if ('errors' in loaded) {
        process.stderr.write(`${formatErrors(loaded.errors)}\n`);
        process.exitCode = EXIT_FAILURE;
        return;
      }
      let running: Awaited<ReturnType<typeof startScenario>>;
      try {
        running = await startScenario(loaded.scenario, {
          host: options.listen.host,
          port: options.listen.port,
        });
      } catch (err) {
        process.stderr.write(
          `mend kubernetes simulate: ${terminalBlock((err as Error).message)}\n`,
        );
        process.exitCode = EXIT_FAILURE;
        return;
      }
      const kubeconfig = resolve(options.kubeconfig);
      await mkdir(resolve(kubeconfig, '..'), { recursive: true });
      const namespace =
        loaded.scenario.spec.deployments[0]?.namespace ?? loaded.scenario.spec.namespaces[0];
      const scope = namespace ? { namespace } : {};
      await running.cluster.writeKubeconfig(kubeconfig, scope);
      // One more kubeconfig per scenario user, to see what RBAC lets each of them do.
      const others: string[] = [];
      for (const [user, token] of running.tokens) {
        const path = `${kubeconfig}.${user.replaceAll(':', '-')}`;
        await running.cluster.writeKubeconfig(path, { ...scope, token, user });
        others.push(`  ${user}: ${path}`);
      }
      process.stdout.write(
        `simulated cluster "${loaded.scenario.metadata.name}" (Kubernetes ${loaded.scenario.spec.kubernetesVersion}) at ${running.cluster.url}\n` +
          (others.length > 0
            ? `kubeconfigs of the scenario's users:\n${others.join('\n')}\n`
            : '') +
          `as admin (Ctrl-C stops the cluster):\nexport KUBECONFIG=${kubeconfig}\n`,
      );
      const stop = () => {
        void running.stop().then(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
};
