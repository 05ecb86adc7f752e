import { CommandName } from '../subjects';
import { CancelRun } from './cancel-run.command';
import { DecideApproval } from './decide-approval.command';
import { StartRun } from './start-run.command';

export { CancelRun, DecideApproval, StartRun };

/** One map ties each command subject to its body class. */
export const COMMANDS = {
  [CommandName.RunStart]: StartRun,
  [CommandName.RunCancel]: CancelRun,
  [CommandName.ApprovalDecide]: DecideApproval,
} as const;

export type CommandBody<N extends CommandName> = InstanceType<(typeof COMMANDS)[N]>;
