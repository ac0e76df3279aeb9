/**
 * cdktf 0.21 renders a string attribute that mixes literal text with references
 * (`"{\"Resource\":\"${aws_s3_bucket.x.arn}\"}"` in the JSON) into HCL without escaping its
 * quotes, which Terraform cannot parse. Our policies, redrive policies and container definitions
 * are such strings, so `synth --hcl` escapes the quotes of those one-line attributes.
 */
const ATTRIBUTE = /^(\s*[A-Za-z0-9_-]+\s*=\s*)"(.*)"(\s*)$/;

/** Escapes `"` that are not already escaped and not inside a `${...}` interpolation. */
function escapeQuotes(inner: string): string {
  let out = '';
  let depth = 0;
  for (let i = 0; i < inner.length; i += 1) {
    const char = inner[i];
    if (char === '\\') {
      out += char + (inner[i + 1] ?? '');
      i += 1;
    } else if (char === '$' && inner[i + 1] === '{') {
      depth += 1;
      out += '${';
      i += 1;
    } else if (char === '}' && depth > 0) {
      depth -= 1;
      out += char;
    } else if (char === '"' && depth === 0) {
      out += '\\"';
    } else {
      out += char;
    }
  }
  return out;
}

export function fixHclQuoting(hcl: string): string {
  return hcl
    .split('\n')
    .map((line) => {
      const match = ATTRIBUTE.exec(line);
      if (!match) return line;
      const [, head = '', inner = '', tail = ''] = match;
      return `${head}"${escapeQuotes(inner)}"${tail}`;
    })
    .join('\n');
}
