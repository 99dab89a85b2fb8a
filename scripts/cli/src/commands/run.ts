import type { Command } from 'commander';
import { VaneError } from '@vane/core';
import { components } from '../components';

interface ComponentModule {
  main(env: Record<string, string | undefined>): Promise<void>;
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .argument('<component>', `one of: ${Object.keys(components).join(', ')}`)
    .description('run one gateway or processor in the foreground (Ctrl-C stops it cleanly)')
    .action(async (name: string) => {
      const component = components[name];
      if (!component) {
        throw new VaneError('VANE_ERR_USAGE', `unknown component '${name}' (known: ${Object.keys(components).join(', ')})`);
      }
      // require, not import(): components are TypeScript loaded through tsx's CommonJS hook.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const mod = require(component.module) as ComponentModule;
      await mod.main(process.env);
    });
}
