import { ErrorCode, KiinniError } from '../../core/errors.js';
import { assignments } from './assignments.js';
import { attendance } from './attendance.js';
import { courseProgress } from './course-progress.js';
import { interventions } from './interventions.js';
import { staff } from './staff.js';
import { studyRightEventsContract } from './study-right-events.js';
import { students } from './students.js';
import { contractKinds, type Contract, type ContractKind } from './types.js';
import { wellbeing } from './wellbeing.js';

export { contractKinds, type Contract, type ContractKind, type ColumnSpec, type ColumnType, type Sensitivity, type RowRule } from './types.js';
export { staffRoles, needCategories, uiLanguages } from './enums.js';

/** Every contract, in dependency order: what is referred to comes before what refers to it. */
export const contracts: Readonly<Record<ContractKind, Contract>> = {
  staff,
  students,
  assignments,
  study_right_events: studyRightEventsContract,
  course_progress: courseProgress,
  attendance,
  wellbeing,
  interventions,
};

/** True for a known contract kind. */
export function isContractKind(kind: string): kind is ContractKind {
  return (contractKinds as readonly string[]).includes(kind);
}

/** The contract of `kind`, or NOT_FOUND listing the known kinds. */
export function contractFor(kind: string): Contract {
  if (!isContractKind(kind)) {
    throw new KiinniError(ErrorCode.NotFound, `Unknown data kind '${kind}'.`, `Known kinds: ${contractKinds.join(', ')}.`);
  }
  return contracts[kind];
}
