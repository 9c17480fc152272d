/** Plasmo (Parcel) `url:` imports: the built file's URL, e.g. a content script bundle. */
declare module 'url:*' {
  const url: string;
  export default url;
}
