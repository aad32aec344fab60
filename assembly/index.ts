// The module's entry points: the JSON walk (json-text.ts) and the YAML walk (yaml-text.ts), which
// share the plan tables, the scan and the reading.
export { init, write, MEMBER_WORDS, TEXT_WORDS, OWN_FIELDS_V1_DEPTH } from './json-text';
export { initYaml, writeYaml, stringReadsAsNonString } from './yaml-text';
