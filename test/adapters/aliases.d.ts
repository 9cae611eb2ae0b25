// Older framework majors installed under aliases, so the same adapter table runs against them too.
declare module 'express4' {
  import express from 'express';
  export default express;
}
declare module 'koa2' {
  import Koa from 'koa';
  export default Koa;
}
