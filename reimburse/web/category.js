// A first guess at an item's category from what the invoice says: the tax category in the line
// item names (*餐饮服务*, *住宿服务*, *运输服务*, ...) or the kind of document (train ticket, toll).
// Only a default: the user can change it before saving.
const BY_DOCUMENT = { train_ticket: "transport", toll_electronic: "transport" };
const BY_WORDS = [
  [/餐饮|餐费|饮食|食品/, "meals"],
  [/住宿|酒店|宾馆|房费/, "lodging"],
  [/运输|客运|出租|打车|通行费|过路|停车|机票|航空|铁路|车票|燃油|汽油|公交|地铁/, "transport"],
  [/办公|纸制品|文具|计算机|电子设备|印刷|耗材|电线电缆/, "office"],
];

function fromText(text) {
  for (const [pattern, category] of BY_WORDS) if (pattern.test(text)) return category;
  return null;
}

export function guessCategory(result, fallback = "travel") {
  if (!result) return fallback;
  if (BY_DOCUMENT[result.document_type]) return BY_DOCUMENT[result.document_type];
  // the line with the largest amount decides (a taxi ride with a bottle of water is transport)
  const lines = [...(result.line_items || [])].filter((l) => l && l.name)
    .sort((a, b) => (Number(b.amount) || 0) - (Number(a.amount) || 0));
  for (const line of lines) {
    const found = fromText(line.name);
    if (found) return found;
  }
  return fromText(result.fields && result.fields.seller_name ? result.fields.seller_name : "") || fallback;
}
