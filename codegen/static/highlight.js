// A small syntax highlighter: regex rules per language, no dependencies.
//
// highlight(code, language) returns a DocumentFragment of text nodes and
// <span class="tok-…"> elements; every piece of code is inserted with
// textContent / text nodes, never as markup, so a file that contains
// "<script>" shows it and runs nothing.

const KW = (words) => new RegExp(`\\b(?:${words.split(/\s+/).filter(Boolean).join('|')})\\b`, 'y');
const KWI = (words) => new RegExp(`\\b(?:${words.split(/\s+/).filter(Boolean).join('|')})\\b`, 'iy');

const NUMBER = /\b(?:0[xX][\da-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|\d[\d_]*(?:\.[\d_]+)?(?:[eE][+-]?\d+)?[jJnLl]?)\b/y;
const DQ = /"(?:\\[\s\S]|[^"\\\n])*"?/y;
const SQ = /'(?:\\[\s\S]|[^'\\\n])*'?/y;
const BLOCK_COMMENT = /\/\*[\s\S]*?(?:\*\/|$)/y;
const LINE_COMMENT = /\/\/.*/y;
const HASH_COMMENT = /#.*/y;

const PYTHON = [
  ['comment', HASH_COMMENT],
  ['string', /[rRbBuUfF]{0,2}"""[\s\S]*?(?:"""|$)/y],
  ['string', /[rRbBuUfF]{0,2}'''[\s\S]*?(?:'''|$)/y],
  ['string', /[rRbBuUfF]{0,2}"(?:\\[\s\S]|[^"\\\n])*"?/y],
  ['string', /[rRbBuUfF]{0,2}'(?:\\[\s\S]|[^'\\\n])*'?/y],
  ['meta', /@[\w.]+/y],
  ['function', /(?<=\b(?:def|class)\s+)[A-Za-z_]\w*/y],
  [
    'keyword',
    KW(`and as assert async await break class continue def del elif else except finally for from global
        if import in is lambda match case nonlocal not or pass raise return try while with yield`),
  ],
  ['builtin', KW('True False None self cls print len range dict list set tuple str int float bool super isinstance')],
  ['number', NUMBER],
  ['function', /[A-Za-z_]\w*(?=\s*\()/y],
];

const JS_KEYWORDS = `abstract as async await break case catch class const continue debugger default delete do else enum
  export extends finally for from function get if implements import in instanceof interface let new of package
  private protected public readonly return set static super switch this throw try type typeof var void while with yield`;

const JAVASCRIPT = [
  ['comment', BLOCK_COMMENT],
  ['comment', LINE_COMMENT],
  ['string', /`(?:\\[\s\S]|[^\\`])*`?/y],
  ['string', DQ],
  ['string', SQ],
  ['meta', /@[\w.]+/y],
  ['keyword', KW(JS_KEYWORDS)],
  ['builtin', KW('true false null undefined NaN Infinity console window document')],
  ['number', NUMBER],
  ['function', /[A-Za-z_$][\w$]*(?=\s*\()/y],
];

const JSON_RULES = [
  ['property', /"(?:\\[\s\S]|[^"\\\n])*"(?=\s*:)/y],
  ['string', DQ],
  ['builtin', KW('true false null')],
  ['number', /-?\b\d+(?:\.\d+)?(?:[eE][+-]?\d+)?\b/y],
];

const HTML = [
  ['comment', /<!--[\s\S]*?(?:-->|$)/y],
  ['meta', /<!DOCTYPE[^>]*>/iy],
  ['tag', /<\/?[A-Za-z][\w:-]*/y],
  ['tag', /\/?>/y],
  ['attr', /(?<=<[^>]*\s)[A-Za-z_:@][\w:.-]*(?=\s*=|[\s/>])/y],
  ['string', DQ],
  ['string', SQ],
];

const CSS = [
  ['comment', BLOCK_COMMENT],
  ['string', DQ],
  ['string', SQ],
  ['keyword', /@[\w-]+/y],
  ['property', /(?<![\w-])-{0,2}[a-zA-Z][\w-]*(?=\s*:[^:])/y],
  ['number', /#[\da-fA-F]{3,8}\b/y],
  ['number', /-?\b\d+(?:\.\d+)?(?:px|em|rem|%|vh|vw|s|ms|fr|deg)?\b/y],
  ['builtin', KW('important inherit initial none auto')],
];

const SQL = [
  ['comment', /--.*/y],
  ['comment', BLOCK_COMMENT],
  ['string', /'(?:''|[^'])*'?/y],
  [
    'keyword',
    KWI(`select from where and or not insert into values update set delete create table index on primary key
         foreign references alter add drop if exists join left right inner outer group by order having limit
         offset as distinct returning default null unique constraint begin commit rollback with union all case
         when then else end in is like between cascade`),
  ],
  ['builtin', KWI('integer int bigint text varchar boolean uuid timestamptz timestamp serial jsonb json numeric real now true false')],
  ['number', NUMBER],
];

const SHELL = [
  ['comment', HASH_COMMENT],
  ['string', DQ],
  ['string', SQ],
  ['variable', /\$\{[^}\n]*\}?|\$(?:\w+|[@#?$!*-])/y],
  [
    'keyword',
    KW(`if then else elif fi for while do done case esac function in return export local set
        FROM RUN COPY ADD WORKDIR ENV EXPOSE CMD ENTRYPOINT ARG USER VOLUME LABEL HEALTHCHECK`),
  ],
  ['number', /\b\d+\b/y],
];

const YAML = [
  ['comment', HASH_COMMENT],
  ['property', /(?<=^[\t ]*(?:- )?)[\w.\-/"']+(?=\s*:(?:\s|$))/my],
  ['string', DQ],
  ['string', SQ],
  ['builtin', KW('true false null yes no on off')],
  ['number', NUMBER],
];

const TOML = [
  ['comment', HASH_COMMENT],
  ['keyword', /(?<=^[\t ]*)\[[^\]\n]*\]+/my],
  ['property', /(?<=^[\t ]*)[\w.\-"]+(?=\s*=)/my],
  ['string', /"""[\s\S]*?(?:"""|$)/y],
  ['string', DQ],
  ['string', SQ],
  ['builtin', KW('true false')],
  ['number', NUMBER],
];

const MARKDOWN = [
  ['keyword', /(?<=^)#{1,6}\s.*/my],
  ['string', /```[\s\S]*?(?:```|$)/y],
  ['string', /`[^`\n]*`/y],
  ['meta', /\*\*[^*\n]+\*\*/y],
  ['attr', /\[[^\]\n]*\]\([^)\n]*\)/y],
];

const CLIKE = [
  ['comment', BLOCK_COMMENT],
  ['comment', LINE_COMMENT],
  ['string', /`[^`]*`?/y],
  ['string', DQ],
  ['string', SQ],
  ['meta', /@[\w.]+|#\[[^\]\n]*\]/y],
  [
    'keyword',
    KW(`package import func fn let mut const var type struct enum trait impl interface class public private protected
        static final void return if else for while loop match switch case default break continue go defer select
        chan map range new try catch finally throw throws extends implements use mod pub crate self super where
        async await move ref as in dyn unsafe`),
  ],
  ['builtin', KW('true false nil null None Some Ok Err int string bool float64 int64 usize i32 i64 u8 u32 u64 f64 String Vec')],
  ['number', NUMBER],
  ['function', /[A-Za-z_]\w*(?=\s*\()/y],
];

const RUBY = [
  ['comment', HASH_COMMENT],
  ['string', DQ],
  ['string', SQ],
  ['variable', /[@$][\w]+|:[A-Za-z_]\w*/y],
  ['keyword', KW('def class module end if elsif else unless while until for in do return yield begin rescue ensure then case when require include attr_accessor self')],
  ['builtin', KW('true false nil puts')],
  ['number', NUMBER],
];

const LANGUAGES = {
  go: CLIKE,
  rust: CLIKE,
  java: CLIKE,
  c: CLIKE,
  cpp: CLIKE,
  csharp: CLIKE,
  kotlin: CLIKE,
  swift: CLIKE,
  ruby: RUBY,
  dotenv: SHELL,
  makefile: SHELL,
  csv: [],
  python: PYTHON,
  javascript: JAVASCRIPT,
  typescript: JAVASCRIPT,
  json: JSON_RULES,
  html: HTML,
  xml: HTML,
  css: CSS,
  sql: SQL,
  shell: SHELL,
  dockerfile: SHELL,
  yaml: YAML,
  toml: TOML,
  ini: TOML,
  markdown: MARKDOWN,
  text: [],
};

const ALIASES = {
  py: 'python',
  js: 'javascript',
  jsx: 'javascript',
  mjs: 'javascript',
  cjs: 'javascript',
  ts: 'typescript',
  tsx: 'typescript',
  htm: 'html',
  svg: 'xml',
  sh: 'shell',
  bash: 'shell',
  zsh: 'shell',
  yml: 'yaml',
  md: 'markdown',
  cfg: 'ini',
  conf: 'ini',
  env: 'shell',
  txt: 'text',
  plaintext: 'text',
  rs: 'rust',
  rb: 'ruby',
  cs: 'csharp',
  kt: 'kotlin',
  h: 'c',
  hpp: 'cpp',
  cc: 'cpp',
};

// The language to highlight a file as: the server's `language`, else the extension.
export function languageFor(path = '', language = '') {
  const lang = String(language || '').toLowerCase();
  if (LANGUAGES[lang]) return lang;
  if (ALIASES[lang]) return ALIASES[lang];
  const name = String(path).split('/').pop().toLowerCase();
  if (name === 'dockerfile' || name.startsWith('dockerfile.')) return 'dockerfile';
  if (name === 'makefile') return 'shell';
  if (name.startsWith('.env') || name === '.gitignore' || name === '.dockerignore') return 'shell';
  const ext = name.includes('.') ? name.split('.').pop() : '';
  if (LANGUAGES[ext]) return ext;
  if (ALIASES[ext]) return ALIASES[ext];
  return 'text';
}

// Split code into [className | null, text] tokens.
export function tokenize(code, language) {
  const rules = LANGUAGES[languageFor('', language)] || [];
  const tokens = [];
  let plain = '';
  let pos = 0;
  const n = code.length;
  outer: while (pos < n) {
    // fast path: plain identifier characters that no rule starts a token at
    for (const [cls, re] of rules) {
      re.lastIndex = pos;
      const m = re.exec(code);
      if (m && m[0].length > 0) {
        if (plain) tokens.push([null, plain]);
        plain = '';
        tokens.push([cls, m[0]]);
        pos += m[0].length;
        continue outer;
      }
    }
    // no rule matched here: take a whole word (so keywords inside words never match) or one char
    const word = /[\w$]+|[^\w$]/y;
    word.lastIndex = pos;
    const w = word.exec(code)[0];
    plain += w;
    pos += w.length;
  }
  if (plain) tokens.push([null, plain]);
  return tokens;
}

export function highlight(code, language) {
  const fragment = document.createDocumentFragment();
  for (const [cls, text] of tokenize(String(code ?? ''), language)) {
    if (cls) {
      const span = document.createElement('span');
      span.className = `tok-${cls}`;
      span.textContent = text;
      fragment.appendChild(span);
    } else {
      fragment.appendChild(document.createTextNode(text));
    }
  }
  return fragment;
}
