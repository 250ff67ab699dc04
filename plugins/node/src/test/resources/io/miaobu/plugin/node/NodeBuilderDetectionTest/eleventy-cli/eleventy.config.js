export default function (eleventyConfig) {
  eleventyConfig.addPassthroughCopy("css");
  return {
    dir: {
      input: "content",
      output: "public",
    },
  };
}
