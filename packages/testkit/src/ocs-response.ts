/** An OCS API answer (`/ocs/v2.php/…`): the `{ocs: {meta, data}}` envelope, JSON or XML. */
export interface OcsMeta {
  status: 'ok' | 'failure';
  statuscode: number;
  message: string;
}

export type OcsFormat = 'json' | 'xml';

/** OCS picks JSON for `?format=json` or an Accept header naming JSON, and XML otherwise. */
export function ocsFormat(formatParam: string | null, accept: string | undefined): OcsFormat {
  if (formatParam === 'json' || formatParam === 'xml') return formatParam;
  return accept?.includes('application/json') ? 'json' : 'xml';
}

export function ocsBody(
  meta: OcsMeta,
  data: unknown,
  format: OcsFormat,
): { contentType: string; body: string } {
  const envelope = { ocs: { meta, data } };
  if (format === 'json') {
    return { contentType: 'application/json; charset=utf-8', body: JSON.stringify(envelope) };
  }
  return {
    contentType: 'application/xml; charset=utf-8',
    body: `<?xml version="1.0"?>\n${xmlElement('ocs', envelope.ocs, '')}`,
  };
}

/** PHP's XMLWriter output as OCS uses it: one-space indents, lists as `<element>`, true as 1. */
function xmlElement(name: string, value: unknown, indent: string): string {
  if (value !== null && typeof value === 'object') {
    const children = Array.isArray(value)
      ? value.map((item) => xmlElement('element', item, `${indent} `))
      : Object.entries(value).map(([key, item]) => xmlElement(key, item, `${indent} `));
    return `${indent}<${name}>\n${children.join('')}${indent}</${name}>\n`;
  }
  const text = value === true ? '1' : value === false || value == null ? '' : String(value);
  return `${indent}<${name}>${escapeXml(text)}</${name}>\n`;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"]/g, (char) => `&#${char.charCodeAt(0)};`);
}
