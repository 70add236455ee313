import type { Contract } from './types.js';
import { idPattern, staffRoles, uiLanguages } from './enums.js';

/** Staff members who receive triggers and digests. */
export const staff: Contract = {
  kind: 'staff',
  title: 'Staff',
  description: 'Staff members, their language and their roles.',
  key: ['staff_id'],
  columns: [
    { name: 'staff_id', type: 'string', required: true, sensitivity: 'ordinary', pattern: idPattern, description: 'Staff identifier.' },
    // A name goes into the To: header: no address syntax (<, >, comma, semicolon, quotes) or control characters, or it could add recipients.
    { name: 'name', type: 'string', required: true, sensitivity: 'ordinary', maxLength: 200, pattern: { regex: '^[^<>,;"\\x00-\\x1f\\x7f]+$', description: 'a name without < > , ; " or control characters' }, description: 'Name shown in digests.' },
    { name: 'email', type: 'string', required: true, sensitivity: 'ordinary', maxLength: 254, pattern: { regex: '^[A-Za-z0-9.!#$%&\'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+$', description: 'one e-mail address' }, description: 'Where digests are sent.' },
    { name: 'language', type: 'string', required: true, sensitivity: 'ordinary', values: uiLanguages, description: 'Digest language: fi, sv or en.' },
    { name: 'roles', type: 'string_list', required: true, sensitivity: 'ordinary', values: staffRoles, description: 'Roles, separated by | (e.g. teacher|group_supervisor).' },
    { name: 'unit', type: 'string', required: false, sensitivity: 'ordinary', maxLength: 100, description: 'Home unit: the pool that receives unrouted triggers for the role.' },
  ],
};
