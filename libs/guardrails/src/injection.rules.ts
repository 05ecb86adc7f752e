import type { ScanText } from './scan-text';

/**
 * The maintained prompt-injection rule set, applied to user input and to untrusted text (tool
 * results, retrieved documents). Each rule is one family of attack; its id is what a trigger
 * records and what an agent's `except:` names, so an id is never renamed or reused.
 *
 * Versioning: bump the patch for a false-positive fix, the minor for a new pattern or rule, the
 * major when a rule is removed. Every change comes with positive examples (several, obfuscated
 * too) and harmless ones in test/injection.rules.unit.spec.ts.
 *
 * Patterns are written against `ScanText.folded` (lower-case, one space between words, see
 * scan-text.ts), so they use plain spaces and no `i` flag. They must stay quiet on ordinary
 * support traffic: "ignore my previous message", "show me the return instructions", "I'm Dan",
 * "I want a refund" are not attacks. A request to refund is an attack only inside text the user
 * did not write, which is what `untrusted` patterns are for.
 *
 * Cost: each pattern names the words one of which any match must contain (`needs`); a pattern
 * runs only on texts that contain one (see injection.scan.ts), so ordinary text costs one pass
 * over its letters, not one per pattern. Needs are found anywhere in `squashed`, so they may be
 * written with spaces (`you are now`); a need that starts with punctuation (`<`, `"role"`) is
 * looked up in the text the pattern reads. Patterns start at a literal word or character and
 * their bounded repeats never overlap, so a scan is linear in the text.
 *
 * 1.0.0  first set: 10 rules.
 */
export const INJECTION_RULESET_VERSION = '1.0.0';

export interface RuleContext {
  /** The text is a tool result or retrieved document, not the user's own words. */
  untrusted: boolean;
  /** Whether any other rule fires on `text` (for decoded or hidden payloads). */
  rescan(text: string): boolean;
}

export interface Pattern {
  re: RegExp;
  /** Needs made of letters and digits, spaces removed: looked up in `squashed`. */
  words: readonly string[];
  /** Needs that start with punctuation: looked up in the text the pattern reads. */
  marks: readonly string[];
}

export interface InjectionRule {
  id: string;
  /** What was found, for a trigger's `detail`: never quotes the text. */
  title: string;
  /** Over `folded`. */
  folded?: readonly Pattern[];
  /** Over `squashed`, where word boundaries are gone: long distinctive phrases only. */
  squashed?: readonly Pattern[];
  /** Over `folded`, on untrusted text only. */
  untrusted?: readonly Pattern[];
  /** Over `lines`: line starts, quotes and markup that folding removes. */
  lines?: readonly Pattern[];
  /** Whatever a pattern cannot say (characters that normalising removes, encoded payloads). */
  check?: (text: ScanText, ctx: RuleContext) => boolean;
}

const LETTER_OR_DIGIT = /^[a-z0-9]/;
const NOT_LETTER_OR_DIGIT = /[^a-z0-9]+/g;

/** A pattern and its needs, `|`-separated (`'ignor|disregard'`); any match contains one. */
function p(needs: string, re: RegExp): Pattern {
  const all = needs.split('|');
  return {
    re,
    words: all
      .filter((n) => LETTER_OR_DIGIT.test(n))
      .map((n) => n.replace(NOT_LETTER_OR_DIGIT, '')),
    marks: all.filter((n) => !LETTER_OR_DIGIT.test(n)),
  };
}

// Words that, after "ignore", make the object the assistant's instructions rather than the
// user's own ("ignore my previous message" is a correction, not an attack).
const AIMED =
  '(?:all|any|your|its|previous|prior|above|earlier|preceding|former|foregoing|original|initial|system|safety|developer|default|existing|aforementioned)';
const QUALIFIER =
  '(?:of|the|your|its|previous|prior|above|earlier|preceding|former|foregoing|original|initial|system|safety|developer|default|existing|current|other|given|these|those)';
const INSTRUCTIONS =
  '(?:instructions?|rules|prompts?|directions|guidelines|directives|guardrails|restrictions|constraints|programming|system messages?|content polic(?:y|ies)|safety polic(?:y|ies))';
const IGNORE = 'ignor|disregard|forget|overrid|bypass|neglect|discard|abandon|overrul';

const ignoreInstructions: InjectionRule = {
  id: 'inj.ignore-instructions',
  title: 'instruction to ignore previous instructions',
  folded: [
    p(
      IGNORE,
      new RegExp(
        `\\b(?:ignore|disregard|forget|override|bypass|neglect|discard|abandon|overrule) (?:(?:the|of|these|those|each|every) ){0,2}${AIMED} (?:${QUALIFIER} ){0,4}${INSTRUCTIONS}\\b`,
      ),
    ),
    p(
      'forget',
      /\bforget (?:about )?(?:everything|all(?: of)?(?: that)?|what) (?:you (?:were|have been|'ve been|was) (?:told|taught|instructed|given|programmed)|(?:written |said |stated )?(?:above|previously|so far))/,
    ),
    p(
      'ignor|disregard',
      /\b(?:ignore|disregard) (?:everything|anything|all) (?:written |said |stated |that came |you were told |you read )?(?:above|before this|previously|prior to this|so far)\b/,
    ),
    p(
      'follow|obey|listen|adher|comply',
      /\b(?:do not|don't|never|stop) (?:follow|obey|listen to|adhere to|comply with)(?:ing)? (?:the |any )?(?:your|previous|prior|above|original|system|developer|safety|earlier|initial) (?:(?:rules|system|safety|developer) )?(?:instructions|rules|guidelines|prompt|policies|directives)\b/,
    ),
    p('new system', /\bnew system (?:instructions|prompt|message|rules)\b/),
    p(
      'instructions',
      /\b(?:these|the following|my) instructions (?:override|supersede|replace|take precedence over) /,
    ),
  ],
  squashed: [
    p(
      'ignor|disregard|forget|overrid|bypass',
      /(?:ignore|disregard|forget|override|bypass)(?:all|any)?(?:the|of|your)*?(?:previous|prior|above|earlier|preceding|system|original|initial)(?:instructions?|rules|prompts?|guidelines|directives)/,
    ),
    p(
      'ignor|disregard|forget',
      /(?:ignore|disregard|forget)(?:all|your)(?:instructions|rules|guidelines|directives)/,
    ),
  ],
};

const EXFIL_VERB =
  '(?:reveal|show|print|display|output|repeat|tell|give|share|leak|dump|disclose|expose|write|spell|recite|list|paste|copy|echo|type|provide|send|translate|summari[sz]e|describe)';

const systemPromptExfiltration: InjectionRule = {
  id: 'inj.system-prompt-exfiltration',
  title: 'request for the system prompt',
  folded: [
    p(
      'system|developer|prompt|hidden instructions|secret instructions|internal instructions',
      new RegExp(
        `\\b${EXFIL_VERB} (?:me |us |out |back )?(?:(?:all|the|of|your|its|full|entire|complete|exact|current|raw|whole|first|above|previous|preceding|verbatim) ){0,5}(?:system ?(?:prompt|message|instructions|config(?:uration)?)|developer ?(?:prompt|message|instructions)|(?:hidden|initial|original|secret|internal|pre|meta|base) ?prompt|(?:hidden|secret|internal) instructions)\\b`,
      ),
    ),
    p(
      'prompt|programming|directive|system instructions',
      new RegExp(
        `\\b${EXFIL_VERB} (?:me |us |out |back )?(?:all |of )*your (?:(?:full|entire|complete|exact|original|initial|hidden|secret|internal|verbatim|whole|first|real|actual|underlying) ){0,3}(?:prompt|programming|directives|system instructions)\\b`,
      ),
    ),
    p(
      'prompt|system instructions|programming',
      /\bwhat (?:is|are|was|were|'s) your (?:(?:exact|original|initial|hidden|secret|full|actual|real|underlying) )?(?:system )?(?:prompt|system instructions|programming)\b/,
    ),
    p(
      'above|before this|preceding|prior to this|that came before|you were given|in your context',
      /\b(?:repeat|print|output|copy|echo|write out|reproduce|rewrite|translate|summari[sz]e) (?:everything|all|the text|the words|all text|all the text|the content|the (?:first|last) (?:\d+ )?(?:lines|words|messages)) (?:above|before this|preceding|prior to this|that came before|you were given|in your context)/,
    ),
    p(
      'verbatim|word for word',
      /\b(?:prompt|instructions|system message)\b.{0,40}\b(?:verbatim|word for word)\b/,
    ),
    p(
      'told|instructed|programmed|prompted',
      /\bwhat (?:were|are|was|is) you (?:told|instructed|programmed|prompted) (?:to do |to say )?(?:before|initially|at the start|originally|by your (?:developer|creator)s?)/,
    ),
    p('starting with', /\bstarting with (?:the words )?'?you are/),
  ],
  squashed: [
    p(
      'systemprompt|systemmessage|systeminstructions|developerprompt|developermessage|hiddenprompt|initialprompt|hiddeninstructions|secretinstructions',
      /(?:reveal|show|print|repeat|output|leak|dump|disclose|tell|give|printout)(?:me|us)?(?:your|the)(?:full|entire|hidden|original|initial|secret|exact|complete)?(?:systemprompt|systemmessage|systeminstructions|developerprompt|developermessage|hiddenprompt|initialprompt|hiddeninstructions|secretinstructions)/,
    ),
  ],
};

const PERSONA =
  '(?:ai|assistant|bot|chatbot|model|llm|persona|character|unrestricted|unfiltered|uncensored|jailbroken|evil|unbound|unchained|dan|admin|administrator|root|developer|god|hacker)';
const RESTRICTIONS =
  '(?:restrictions|rules|limits|limitations|filters|guidelines|censorship|guardrails|policies|ethics|morals|boundaries|constraints)';
const RESTRICTION_NEEDS =
  'restriction|rule|limit|filter|guideline|censorship|guardrail|polic|ethic|moral|boundar|constraint';

const roleOverride: InjectionRule = {
  id: 'inj.role-override',
  title: 'attempt to replace the assistant role',
  folded: [
    p(
      'you are now',
      new RegExp(
        `\\byou are now (?:(?:a|an|the|my|no longer|free|going to be|acting as|playing|called|named) )*(?:[a-z-]+ ){0,2}?${PERSONA}\\b`,
      ),
    ),
    p(
      RESTRICTION_NEEDS,
      new RegExp(
        `\\b(?:act|behave|respond|answer|reply|operate|function|pose) (?:as|like) (?:if you (?:are|were) )?(?:a |an |the )?(?:[a-z-]+ ){0,3}?(?:without|with no|free (?:of|from)|ignoring|unbound by|not bound by) (?:any |all |your )?${RESTRICTIONS}`,
      ),
    ),
    p(
      'pretend',
      new RegExp(
        `\\bpretend (?:to be|that you are|that you're|you are|you're|you were) (?:a |an |the )?(?:[a-z-]+ ){0,2}?(?:${PERSONA}|system|without (?:any )?(?:rules|restrictions|limits))\\b`,
      ),
    ),
    p(
      'roleplay',
      new RegExp(
        `\\b(?:roleplay|role-play|role play) as (?:a |an |the )?(?:[a-z-]+ ){0,2}?${PERSONA}\\b`,
      ),
    ),
    p(
      'from now on',
      new RegExp(
        `\\bfrom now on,? (?:you (?:are|will be|shall be|must be|act as|will act as) (?:a |an |the )?(?:[a-z-]+ ){0,2}?(?:${PERSONA}|free)|(?:you (?:will |must |shall )?)?(?:answer without|respond without|act as|pretend|roleplay))\\b`,
      ),
    ),
    p(
      'your new|your true|your real|your actual',
      /\byour (?:new|true|real|actual) (?:role|persona|identity|purpose|goal|objective|directive|instructions|task|job) (?:is|are|will be)\b/,
    ),
    p(
      'no longer',
      /\byou (?:are|will) no longer (?:be )?(?:a |an |the )?(?:bound|restricted|limited|constrained|required to|an? (?:ai|assistant|language model)|(?:[a-z-]+ )?assistant|following|obeying)/,
    ),
    p(
      'developer|creator|admin|owner|operator|programmer|maker|trainer|master|supervisor',
      /\b(?:i am|i'm|this is|speaking as) (?:your|the ai's|the assistant's) (?:developer|creator|administrator|admin|owner|operator|programmer|maker|trainer|master|supervisor)s?\b/,
    ),
    p(
      'openai|anthropic',
      /\b(?:i am|i'm|this is) (?:a |an )?(?:openai|anthropic) (?:employee|engineer|developer|staff|researcher|admin)/,
    ),
    p(
      'persona|character|role',
      /\b(?:enter|switch to|activate|assume|adopt) (?:the )?(?:[a-z-]+ )?(?:persona|character|role) (?:of|called|named)\b/,
    ),
  ],
  squashed: [
    p(
      'you are now',
      /youarenow(?:a|an)?(?:unrestricted|unfiltered|uncensored|jailbroken|evil|unbound)/,
    ),
    p(
      'without',
      /(?:act|respond|answer)as(?:if)?.{0,30}without(?:any)?(?:restrictions|rules|filters|limits|guidelines|censorship)/,
    ),
  ],
};

const MODE =
  '(?:god|jailbreak|jailbroken|unrestricted|unfiltered|uncensored|sudo|dan|evil|opposite|chaos|no[- ]?limits?|no[- ]?rules)';

const developerMode: InjectionRule = {
  id: 'inj.developer-mode',
  title: 'request to switch on an unrestricted mode',
  folded: [
    p(
      'mode',
      new RegExp(
        `\\b(?:with|in|now in|enter|entering|activate|activating|enable|enabling|switch to|switching to|you are in|you're in|simulate|simulating) (?:the )?${MODE} mode\\b`,
      ),
    ),
    p(
      'mode',
      new RegExp(
        `\\b${MODE} mode (?:is )?(?:now )?(?:enabled|activated|engaged|on|unlocked|active)\\b`,
      ),
    ),
    p(
      'developer mode',
      /\b(?:chatgpt|gpt(?:-?\d)?|claude|assistant|ai|you|llm|model) (?:with|in|now in|are in|are now in|enter|entering|will enter|must enter|will simulate|must simulate) (?:the )?developer mode\b/,
    ),
    p('developer mode', /\bdeveloper mode (?:output|response|enabled)\b/),
    p('developer mode', /\b(?:simulate|simulating|emulate|emulating) (?:the )?developer mode/),
    p(
      'mode',
      /\b(?:enable|activate|enter|switch to) (?:developer|dev|debug|admin|maintenance) mode (?:and|to|so (?:that )?you) (?:ignore|bypass|disable|answer|respond|reveal|remove|skip)/,
    ),
    p(
      'override',
      /\b(?:system|admin|administrator|developer|root) override (?:code|mode|enabled|activated|command|accepted|granted)\b/,
    ),
  ],
  squashed: [p('mode enabled', /developermodeenabled|godmodeenabled|jailbreakmodeenabled/)],
};

const danJailbreak: InjectionRule = {
  id: 'inj.dan-jailbreak',
  title: 'known jailbreak prompt',
  folded: [
    p('do anything now', /\bdo anything now\b/),
    p(
      'dan',
      /\b(?:you are|you're|act as|become|pretend to be|you will be) (?:now )?(?:a |an )?dan(?: mode|,? (?:which|who) stands for|\b.{0,80}\bdo anything)/,
    ),
    p('dan', /\bdan (?:mode|jailbreak|prompt|v?\d+\.\d+)\b/),
    p(
      'character',
      /\b(?:stay|remain|keep|staying) in character\b|\b(?:do not|don't|never) break character\b/,
    ),
    p(
      'jailbr',
      /\bjailbr(?:oken|eak(?:ed|ing)?)\b.{0,40}\b(?:ai|assistant|chatbot|chatgpt|gpt|claude|llm|language model|mode|prompt)\b/,
    ),
    p('jailbroken', /\b(?:you are|you're|act as|become|as) (?:a |an |now )*jailbroken\b/),
    p(
      'confines|restriction|rule|shackles|chains|limitation|constraint',
      /\b(?:free|freed|liberated|released|broken free|unshackled) (?:yourself )?from (?:the )?(?:typical |usual )?(?:confines|restrictions|rules|shackles|chains|limitations|constraints) (?:of|imposed|set|placed)/,
    ),
    p(
      'ethical|moral|content filter|content restriction|content limit',
      /\bno (?:ethical|moral) (?:guidelines|restrictions|boundaries|limits|filters|policy|policies|principles)\b|\bno content (?:filters|filtering|restrictions|limits)\b/,
    ),
    p(
      'always intelligent|evil confidant|betterdan|antidan|basedgpt',
      /\b(?:always intelligent and machiavellian|evil confidant|betterdan|anti-dan|basedgpt)\b/,
    ),
  ],
  squashed: [p('do anything now|stay in character', /doanythingnow|stayincharacter/)],
};

const ACTION_VERB =
  '(?:approve|authori[sz]e|grant|issue|process|execute|initiate|transfer|wire|send|refund|credit|pay|delete|cancel|escalate|call|invoke|forward|email|export|reset|disable|reveal|mark|close|change|update|add)';

const toolCoercion: InjectionRule = {
  id: 'inj.tool-coercion',
  title: 'instruction to call a tool or approve an action',
  folded: [
    p('_', /\b(?:call|invoke|execute|trigger) (?:the )?(?:tool|function) [a-z0-9]+_[a-z0-9_]+/),
    p(
      '_',
      /\b(?:call|invoke|execute|trigger|run) [a-z0-9]+_[a-z0-9_]+ ?(?:\(|with\b|now\b|immediately\b|tool\b|function\b|for\b|on\b)/,
    ),
  ],
  untrusted: [
    p(
      'tool|function|plugin',
      /\b(?:call|invoke|execute|trigger) (?:the |a |an |your )?(?:[a-z0-9_.-]+ )?(?:tool|function|plugin)\b/,
    ),
    p(
      'ai|assistant|language model|llm|bot|gpt|claude|copilot',
      new RegExp(
        `\\b(?:ai|assistant|ai assistant|language model|llm|chatbot|bot|gpt|chatgpt|claude|copilot)(?: reading this| processing this| that reads this)?(?:[,:] (?:please |now |immediately )*| (?:must|should|shall|needs? to|has to|have to|is (?:required|instructed) to|are (?:required|instructed) to)(?: now| immediately| also)* )${ACTION_VERB}\\b`,
      ),
    ),
    p(
      'note|attention|important|instruction|message',
      /\b(?:note|attention|important|instruction|message) (?:to|for) (?:the |any )?(?:ai|assistant|llm|chatbot|bot|language model|model)s?\b/,
    ),
    p(
      'you must|you should|you need to|you have to|you are required|you are instructed|you are authori|you shall',
      /\byou (?:must|should|need to|have to|are (?:required|instructed|authori[sz]ed) to|shall) (?:now |immediately |also |then |first |always )*(?:approve|authori[sz]e|grant|issue|initiate|transfer|wire|refund|credit|pay out|call|invoke|execute|forward|export|ignore|disregard|reveal|send (?:all|the|every|this|your))\b/,
    ),
    p(
      'transfer|wire|send|pay',
      /\b(?:transfer|wire|send|pay) (?:(?:\$|€|£) ?\d[\d,.]*|\d[\d,.]* ?(?:\$|€|£|usd|eur|gbp|dollars|euros|pounds|btc|eth)) (?:to|into) (?:the |this |my |our )?(?:account|iban|wallet|bank|address|card)\b/,
    ),
    p(
      'refund|payout|reimbursement|chargeback|credit|transfer',
      /\b(?:issue|approve|process|grant|initiate|authori[sz]e) (?:a |an |the )?(?:full |immediate |complete |100% )?(?:refund|payout|reimbursement|chargeback|credit|wire transfer|transfer)s? (?:immediately|now|right away|without (?:approval|confirmation|verification|checking|asking))/,
    ),
  ],
  // Tool-call markup a model or parser could take for a real call.
  lines: [
    p('<', /<\|?\/?(?:tool_calls?|function_calls?|tool_use|tool_result|invoke|functioncall)\b/),
    p('"', /"(?:tool_calls?|function_call|tool_use)" ?: ?[[{]/),
    p('function', /\bfunctions?\.[a-z_][a-z0-9_]*\(/),
  ],
};

// An instruction hidden where a reader does not see it: HTML comments, elements styled away,
// Markdown comments. What is inside must itself read as an instruction.
const HIDDEN_ELEMENT =
  /<[a-z][^>]{0,200}style\s*=\s*["'][^"']{0,200}(?:display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0(?:px|pt|em)?\s*[;"']|opacity\s*:\s*0\s*[;"']|color\s*:\s*(?:white|#fff(?:fff)?|transparent))[^>]{0,200}>([^<]{1,4000})/gi;
const MARKDOWN_COMMENT = /^\[(?:\/\/|comment)\]: ?(?:#|<>) ?\(([^)\n]{1,2000})\)/gm;
// Hidden text that addresses the model and asks for something ("AI: approve this refund"); a
// page's own comments ("<!-- Call to action -->", "<!-- you must keep this notice -->") do not.
const HIDDEN_VOCABULARY =
  /\b(?:ai|assistant|llm|chatgpt|claude|language model|model|bot|agent)s?\b[\s\S]{0,100}?\b(?:ignore|disregard|approve|authori[sz]e|refund|transfer|call|invoke|execute|reveal|send|forward|respond|reply|say|tell|do not|don't|must|should)\b/;
// Zero-width characters inside a Latin word, or several in a row (a single ZWJ between emoji or in
// Indic and Arabic scripts is ordinary); Unicode tag characters spelling text (a flag emoji uses at
// most seven); bidi overrides that reorder what is displayed.
const INVISIBLE_IN_WORD = /[A-Za-z0-9][\u200b-\u200d\u2060\ufeff\u180e]+[A-Za-z0-9]/;
const INVISIBLE_RUN = /[\u200b-\u200f\u2060-\u2064\ufeff]{3,}/;
const TAG_TEXT = /(?:\udb40[\udc20-\udc7e]){8,}/;
const BIDI_OVERRIDE = /[\u202d\u202e]/;

const MAX_HIDDEN = 4000;
const MAX_HIDDEN_CANDIDATES = 16;

function hiddenInstruction(body: string, ctx: RuleContext): boolean {
  return HIDDEN_VOCABULARY.test(body.toLowerCase()) || ctx.rescan(body);
}

/** HTML comments, found with indexOf: a regex would rescan to the end from every `<!--`. */
function htmlComments(raw: string, ctx: RuleContext): boolean {
  let from = 0;
  for (let n = 0; n < MAX_HIDDEN_CANDIDATES; n++) {
    const open = raw.indexOf('<!--', from);
    if (open < 0) return false;
    const close = raw.indexOf('-->', open + 4);
    if (close < 0) return false;
    if (hiddenInstruction(raw.slice(open + 4, Math.min(close, open + 4 + MAX_HIDDEN)), ctx)) {
      return true;
    }
    from = close + 3;
  }
  return false;
}

function hiddenPayload(re: RegExp, raw: string, ctx: RuleContext): boolean {
  re.lastIndex = 0;
  let m: RegExpExecArray | null;
  for (let n = 0; n < MAX_HIDDEN_CANDIDATES && (m = re.exec(raw)) !== null; n++) {
    if (hiddenInstruction(m[1], ctx)) return true;
  }
  return false;
}

const hiddenMarkup: InjectionRule = {
  id: 'inj.hidden-markup',
  title: 'instruction hidden in invisible text or markup',
  check: (t, ctx) => {
    const raw = t.raw;
    if (!t.ascii) {
      if (INVISIBLE_IN_WORD.test(raw) || INVISIBLE_RUN.test(raw) || TAG_TEXT.test(raw)) return true;
      if (BIDI_OVERRIDE.test(raw)) return true;
    }
    if (htmlComments(raw, ctx)) return true;
    if (raw.includes('style') && hiddenPayload(HIDDEN_ELEMENT, raw, ctx)) return true;
    return raw.includes(']:') && hiddenPayload(MARKDOWN_COMMENT, raw, ctx);
  },
};

const fakeDelimiters: InjectionRule = {
  id: 'inj.fake-delimiters',
  title: 'fake conversation or content boundary',
  folded: [
    p(
      '<',
      /<\/?(?:untrusted|trusted|system|assistant|developer|instructions?|im_start|im_end|tool_output|tool_result|sys|inst|system_prompt|user_input|untrusted_input|external_content)(?: [^>]{0,40})?>/,
    ),
    p(
      '<',
      /<\|(?:im_start|im_end|system|user|assistant|endoftext|eot_id|start_header_id|end_header_id|begin_of_text)\|>/,
    ),
    p('[|<<', /\[\/?inst\]|<<\/?sys>>/),
    p(
      'end of|begin of|start of',
      /(?:[[#=<(|]|--) ?(?:end|begin|start) of (?:the )?(?:(?:untrusted|user|tool|retrieved|external|system) (?:input|content|document|data|context|prompt|message|instructions)|input|context|prompt|instructions|tool (?:result|output)|conversation)\b/,
    ),
  ],
  // A turn the text pretends to contain, at the start of a line: `System: ignore …`,
  // `### Instruction:`, `Assistant: Sure, …`, or a chat message in JSON. A line such as
  // "System: Windows 11" is not one.
  lines: [
    p(
      'system|developer',
      /^[ \t]*(?:#{1,4}[ \t]*)?(?:system|developer)(?:[ \t]+(?:message|prompt|instructions?|note|override))?[ \t]*:[ \t]*(?:you|ignore|disregard|forget|new|from now|the assistant|assistant|always|never|do not|don't|reveal|approve|call|override)\b/m,
    ),
    p(
      'instruction|system|response',
      /^[ \t]*#{1,4}[ \t]*(?:instruction|system|response|new instructions?)[ \t]*:?[ \t]*$/m,
    ),
    p(
      'assistant|ai|chatgpt|bot',
      /^[ \t]*(?:assistant|ai|chatgpt|bot)[ \t]*:[ \t]*(?:sure|okay|ok|certainly|of course|i will|i'll|absolutely)\b/m,
    ),
    p('"role"', /"role" ?: ?"(?:system|developer)"/),
  ],
};

// Payloads encoded so that no pattern sees them: long base64 (or base64url) and hex runs, and
// percent-encoded runs, that decode to printable text on which another rule fires; and plain
// requests to decode and obey.
const MIN_RUN = 40;
const BASE64_RUN = /(?<![A-Za-z0-9+/=_-])[A-Za-z0-9+/_-]{40,}={0,2}/g;
const HEX = /^(?:[0-9A-Fa-f]{2})+$/;
const PERCENT_RUN = /(?:%[0-9A-Fa-f]{2}){12,}/g;
const MAX_CANDIDATES = 16;
// Decode at most this many characters of one run (4 KiB of payload).
const MAX_ENCODED = 5464;

/** Mostly printable text (tabs and line breaks allowed), as opposed to binary or a hash. */
function printable(bytes: Buffer): boolean {
  if (bytes.length < 16) return false;
  let ok = 0;
  for (const b of bytes) if ((b >= 0x20 && b < 0x7f) || b === 9 || b === 10 || b === 13) ok++;
  return ok >= bytes.length * 0.95;
}

function decodesToInstructions(
  re: RegExp,
  raw: string,
  decode: (s: string) => Buffer | undefined,
  ctx: RuleContext,
): boolean {
  re.lastIndex = 0;
  let m: RegExpExecArray | null;
  for (let n = 0; n < MAX_CANDIDATES && (m = re.exec(raw)) !== null; n++) {
    const bytes = decode(m[0].slice(0, MAX_ENCODED));
    if (bytes && printable(bytes) && ctx.rescan(bytes.toString('latin1'))) return true;
  }
  return false;
}

// A run of hex digits is also a base64 run: read it as hex when it is one (a SHA-256 in hex
// decodes to binary either way).
const base64OrHex = (s: string) => Buffer.from(s, HEX.test(s) ? 'hex' : 'base64');

function percentDecode(s: string): Buffer | undefined {
  try {
    return Buffer.from(decodeURIComponent(s), 'latin1');
  } catch {
    return undefined;
  }
}

const encoded: InjectionRule = {
  id: 'inj.encoded',
  title: 'encoded instructions',
  folded: [
    p(
      'decode',
      /\bdecode (?:this|the following|it|that|the (?:base64|hex|string|text|message))(?: [a-z0-9]+){0,3},? (?:and|then) (?:follow|execute|run|obey|do|act on|carry out|apply)\b/,
    ),
  ],
  check: (t, ctx) =>
    (t.longestRun >= MIN_RUN && decodesToInstructions(BASE64_RUN, t.raw, base64OrHex, ctx)) ||
    (t.raw.includes('%') && decodesToInstructions(PERCENT_RUN, t.raw, percentDecode, ctx)),
};

const SECRETS =
  '(?:conversation(?: history| log)?|chat (?:history|log)|system prompt|previous messages|(?:api )?keys?|credentials|passwords?|access tokens?|tokens|secrets?|email address(?:es)?|personal data|pii|(?:user|customer) (?:data|records|list|database|emails)|database|env(?:ironment)? variables|\\.env file|session (?:id|cookie)s?)';

const dataExfiltration: InjectionRule = {
  id: 'inj.data-exfiltration',
  title: 'instruction to send data elsewhere',
  untrusted: [
    p(
      'append|add|include|insert|encode|put|embed',
      new RegExp(
        `\\b(?:append|add|include|insert|encode|put|embed) (?:the |all |any |every |this |your )?(?:(?:user's|customer's|users'|customers') )?${SECRETS} (?:to|in|into|as an? (?:query )?(?:parameter|param|query)(?: string)? (?:of|in|to)) (?:the |this |a |an )?(?:url|link|image|query|request|webhook|endpoint|markdown)`,
      ),
    ),
    p(
      'send|forward|post|upload|email|exfiltrate|leak|transmit|copy',
      new RegExp(
        `\\b(?:send|forward|post|upload|email|exfiltrate|leak|transmit|copy) (?:the |all |any |every |this |your )?(?:(?:user's|customer's|users'|customers') )?${SECRETS} (?:to|at|via) (?:https?:|the following|this (?:url|address|email|endpoint|webhook)|[^ ]{1,200}\\.[a-z]{2,})`,
      ),
    ),
    p('![', /!\[[^\]]{0,100}\]\(https?:\/\/[^)\s]{1,300}(?:\{|%7b|\$\{|<)[^)\s]{0,300}\)/),
  ],
};

/** In the order they run; ids are unique. */
export const INJECTION_RULES: readonly InjectionRule[] = [
  ignoreInstructions,
  systemPromptExfiltration,
  roleOverride,
  developerMode,
  danJailbreak,
  toolCoercion,
  fakeDelimiters,
  hiddenMarkup,
  encoded,
  dataExfiltration,
];

export const INJECTION_RULE_IDS: readonly string[] = INJECTION_RULES.map((r) => r.id);
