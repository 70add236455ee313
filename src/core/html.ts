/** Text and attribute values into HTML (& < > "). Every HTML kiinni writes passes values through here. */
export const escapeHtml = (s: unknown): string => String(s ?? '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
