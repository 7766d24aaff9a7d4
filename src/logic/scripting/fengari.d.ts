// fengari (Lua 5.3 in JavaScript) ships no type declarations; the scripting code uses its C-like API
// through these loosely typed module handles.
declare module 'fengari/src/lua.js' { const m: any; export = m; }
declare module 'fengari/src/lauxlib.js' { const m: any; export = m; }
declare module 'fengari/src/lualib.js' { const m: any; export = m; }
declare module 'fengari/src/fengaricore.js' { const m: any; export = m; }
