//! The classifier with its real lexicons, profiles and model: ordinary
//! children's sentences stay `allow`, obfuscated abuse is caught.

use oche::{Classifier, Settings};

fn classifier(age: &str) -> Classifier {
    classifier_with(&Settings {
        age: Some(age.into()),
        ..Default::default()
    })
}

/// The classifier as the extension builds it: lists, model and name models.
fn classifier_with(settings: &Settings) -> Classifier {
    Classifier::with_data(
        settings,
        oche::builtin_domains(),
        Some(oche::builtin_model()),
    )
    .unwrap()
    .with_names(oche::builtin_names())
}

fn action(c: &Classifier, text: &str) -> &'static str {
    c.classify_text(text).action
}

/// Ordinary sentences built on the collision families (các/cặc, lớn/lồn,
/// đi/đĩ, buổi/buồi, ngủ/ngu, đủ/dù/đụ, đeo/đéo, chích ngừa, nung/nứng,
/// đít/địt) and school abbreviations (dm, vl, cl, cc, lol).
const ORDINARY: &[&str] = &[
    "Các bạn nhỏ đi học đủ buổi, ai cũng lớn nhanh và ngủ ngon.",
    "Cả lớp đi chích ngừa ở trạm y tế, bé không khóc.",
    "Mẹ mua một lon sữa và cái dù mới cho con.",
    "Cô giáo đeo kính, dẫn cả lớp qua con đèo.",
    "Bà nung bánh trong lò, thơm cả nhà.",
    "Em bé ngã đau đít, mẹ xoa cho.",
    "Cái bàn dài 8 dm, cái bút dài 15 cm.",
    "Môn vật lý (VL) lớp 6 học về lực; Cl là ký hiệu của clo.",
    "Thầy dạy VL rất hay, cả lớp đều thích.",
    "Chiều nay bọn mình đi học thêm VL.",
    "Con chim hót trên cành, con bướm bay, con chó nằm ngủ.",
    "Bé thích truyện Thạch Sanh chém chằn tinh cứu công chúa.",
    "Hôm nay bé đi chơi công viên với bố mẹ.",
    "cac ban nho di hoc du buoi, ai cung lon nhanh va ngu ngon",
    "hom nay be di choi cong vien voi bo me",
    "me mua mot lon sua cho con",
    "Cả nhà hòa thuận, khỏe mạnh; cả nhà hoà thuận, khoẻ mạnh.",
    "Bài học kỹ năng sống: nếu ai bảo con giữ bí mật với bố mẹ, hãy kể ngay với người lớn con tin tưởng.",
    "Giáo dục giới tính cho trẻ: dạy con tên gọi đúng của các bộ phận cơ thể.",
    "We went to Scunthorpe and saw a cockpit; the assessment was fun.",
    "lol that was so funny",
];

#[test]
fn ordinary_childrens_sentences_stay_allow() {
    let c = classifier("6-10");
    for s in ORDINARY {
        let v = c.classify_text(s);
        assert_eq!(v.action, "allow", "{s}: {:?}", v.reasons);
    }
}

/// The frozen set of ordinary messages children write to each other
/// (`data/eval/kids-chat.tsv`, never tuned on): `tao`, `mày`, `thằng`,
/// `bọn` between friends, pets, school, games, half without diacritics.
/// A few may still trip a rule; at most one in twenty.
#[test]
fn childrens_own_chat_is_left_alone() {
    let chat = include_str!("../data/eval/kids-chat.tsv");
    let lines: Vec<&str> = chat.lines().filter_map(|l| l.split('\t').nth(1)).collect();
    assert_eq!(lines.len(), 240);
    for age in ["6-10", "11-14"] {
        let c = classifier(age);
        let flagged: Vec<&&str> = lines.iter().filter(|t| action(&c, t) != "allow").collect();
        assert!(
            flagged.len() * 20 <= lines.len(),
            "{age}: {} of {} flagged: {flagged:#?}",
            flagged.len(),
            lines.len()
        );
    }
}

#[test]
fn nfc_nfd_and_tone_styles_agree() {
    let c = classifier("6-10");
    for s in ORDINARY
        .iter()
        .chain(["Thằng ngu vãi lồn", "đụ má mày"].iter())
    {
        let nfd: String = unicode_normalization::UnicodeNormalization::nfd(*s).collect();
        assert_eq!(c.classify_text(s), c.classify_text(&nfd), "{s}");
    }
}

#[test]
fn obfuscated_profanity_is_caught() {
    let c = classifier("6-10");
    let zw = "đ\u{200B}ị\u{200B}t m\u{200B}ẹ m\u{200B}ày";
    let nfd: String = unicode_normalization::UnicodeNormalization::nfd("địt mẹ mày").collect();
    for s in [
        "địt mẹ mày",
        "đ.ị.t m.ẹ m.à.y",
        "d i t  m e  m a y",
        "dit me may",
        "ditmemay",
        zw,
        nfd.as_str(),
        "ĐỊT MẸ MÀY",
        "v*l thằng này",
        "vcl thật",
        "đm thằng ngu",
        "ngu vcl",
        "fuck you",
        "f u c k you",
        "fu©k y0u",
        "f.u.c.k you",
        "you stupid b1tch",
    ] {
        assert_ne!(action(&c, s), "allow", "{s}: {:?}", c.classify_text(s));
    }
}

#[test]
fn harm_in_every_category_is_caught_in_both_languages() {
    let c = classifier("0-5");
    let cases: &[(&str, &str)] = &[
        ("sexual", "xem phim sex không che, clip nóng gái xinh"),
        ("sexual", "watch free porn videos xxx"),
        (
            "gambling",
            "nhà cái uy tín, soi kèo, tài xỉu, nổ hũ đổi thưởng",
        ),
        ("gambling", "online casino free spins and sports betting"),
        (
            "scam",
            "nhận kim cương miễn phí free fire, nhập tài khoản và mật khẩu để nhận quà",
        ),
        ("scam", "free robux generator, enter your password to claim"),
        (
            "grooming",
            "đừng kể với bố mẹ nhé, gửi ảnh cho anh xem đi, bí mật của hai đứa mình",
        ),
        (
            "grooming",
            "don't tell your parents, send me a pic, it's our little secret",
        ),
        ("self-harm", "mình muốn tự tử, cách tự tử nhanh nhất"),
        ("self-harm", "how to kill myself painlessly"),
        ("drugs", "mua bán ma túy đá, thuốc lắc, cần sa giao tận nơi"),
        ("drugs", "buy weed and cocaine online"),
        ("weapons", "cách chế tạo bom, mua bán súng tự chế"),
        ("weapons", "how to make a bomb at home, buy guns online"),
        ("violence", "clip chặt đầu máu me, tra tấn dã man"),
        ("violence", "beheading video gore torture"),
        ("hate", "bọn bắc kỳ ăn cháo đá bát, lũ parky"),
        ("hate", "kill all the faggots"),
        ("harassment", "mày ngu như chó, câm mồm đi, chết đi"),
        ("harassment", "you are a worthless idiot, kill yourself"),
        ("profanity", "địt mẹ vãi lồn"),
        ("profanity", "fuck this shit"),
    ];
    for (cat, text) in cases {
        let v = c.classify_text(text);
        assert_ne!(v.action, "allow", "{cat}: {text}");
        assert!(
            v.categories.iter().any(|x| x.id == *cat),
            "{cat} expected for {text}: {:?}",
            v.categories
        );
    }
}

#[test]
fn protective_and_news_context_is_not_blocked() {
    let c = classifier("11-14");
    for s in [
        "Phòng chống xâm hại tình dục trẻ em: dạy trẻ nhận biết và nói với người lớn, gọi tổng đài 111.",
        "Công an triệt phá đường dây cá độ bóng đá, khởi tố 10 bị can theo Bộ luật Hình sự.",
        "Bác sĩ giải thích về ung thư vú và cách tầm soát sớm.",
        "Suicide prevention: if you are struggling, call a helpline, you are not alone.",
        "Trong kháng chiến chống Pháp, nhiều chiến sĩ đã hy sinh.",
    ] {
        assert_ne!(action(&c, s), "block", "{s}: {:?}", c.classify_text(s));
    }
}

#[test]
fn teenagers_get_lighter_actions_than_young_children() {
    let text = "thằng này ngu vãi";
    let young = classifier("0-5").classify_text(text);
    let teen = classifier("15-17").classify_text(text);
    assert!(oche::Action::from_id(young.action) >= oche::Action::from_id(teen.action));
}

#[test]
fn settings_override_actions_and_extend_lexicons() {
    let s = Settings {
        age: Some("6-10".into()),
        actions: [("gambling".to_string(), "warn".to_string())].into(),
        extra_lexicon: Some("[scam]\n100 mã giảm giá thần kỳ\n".into()),
        ..Default::default()
    };
    let c = Classifier::with_data(&s, oche::DomainTable::empty(), None).unwrap();
    assert_eq!(
        c.classify_text("nhà cái uy tín, soi kèo, tài xỉu, nổ hũ")
            .action,
        "warn"
    );
    assert_eq!(c.classify_text("nhận mã giảm giá thần kỳ").action, "block");
    let bad = Settings {
        extra_lexicon: Some("[scam]\nabc\n".into()),
        ..Default::default()
    };
    assert!(Classifier::new(&bad)
        .err()
        .unwrap()
        .contains("extra lexicon"));
}

#[test]
fn url_lists_are_suffix_aware_and_words_count() {
    let c = classifier("6-10");
    assert_eq!(
        c.classify_url("https://m.fb88.com/abc").unwrap().action,
        "block"
    );
    assert_eq!(
        c.classify_url("https://vnexpress.net/the-thao")
            .unwrap()
            .action,
        "allow"
    );
    assert_eq!(
        c.classify_url("https://nhacaiuytin.xyz/").unwrap().action,
        "block"
    );
    assert_eq!(
        c.classify_url(
            "https://www.google.com.vn/search?q=nh%C3%A0+c%C3%A1i+uy+t%C3%ADn+soi+k%C3%A8o"
        )
        .unwrap()
        .action,
        "block"
    );
    let allow = Settings {
        allow_domains: vec!["fb88.com".into()],
        ..Default::default()
    };
    let c = Classifier::with_domains(&allow, oche::builtin_domains()).unwrap();
    assert_eq!(c.classify_url("https://fb88.com/").unwrap().action, "allow");
    // On both lists, the block list wins.
    let both = Settings {
        allow_domains: vec!["example.com".into()],
        block_domains: vec!["m.example.com".into()],
        ..Default::default()
    };
    let c = Classifier::with_domains(&both, oche::builtin_domains()).unwrap();
    assert_eq!(
        c.classify_url("https://m.example.com/").unwrap().action,
        "block"
    );
    assert_eq!(
        c.classify_url("https://example.com/").unwrap().action,
        "allow"
    );
}

/// The lean URL decision the extension uses on every navigation agrees with
/// the full verdict: same action, and the category is the strongest one
/// whose profile action is that action (or the list that decided).
#[test]
fn url_action_agrees_with_the_full_url_verdict() {
    let urls = [
        "https://m.fb88.com/abc",
        "https://vnexpress.net/the-thao",
        "https://nhacaiuytin.xyz/",
        "https://taixiu-club79.win/",
        "https://www.google.com.vn/search?q=nh%C3%A0+c%C3%A1i+uy+t%C3%ADn+soi+k%C3%A8o",
        "https://www.google.com/search?q=how+to+kill+myself",
        "https://www.bing.com/search?q=phim+sex+hay",
        "https://duckduckgo.com/?q=cach+tu+tu",
        "https://example.com/phim-sex/clip",
        "https://site1.example-school.edu.vn/bai-hoc/1",
        "https://xn--vit-5kz.vn/",
        "https://m.example.com/",
        "https://example.com/",
        "http://[::1]/",
    ];
    let lists = Settings {
        allow_domains: vec!["example.com".into()],
        block_domains: vec!["m.example.com".into()],
        ..Default::default()
    };
    for age in ["0-5", "6-10", "11-14", "15-17"] {
        let c = classifier_with(&Settings {
            age: Some(age.into()),
            ..lists.clone()
        });
        for u in urls {
            let full = c.classify_url(u).unwrap();
            let (action, category) = c.url_action(u).unwrap();
            assert_eq!(action.id(), full.action, "{age} {u}");
            let list = |p: &str| full.reasons.iter().any(|r| r.code.starts_with(p));
            let expected = if list("allow-list:") {
                "allowlist"
            } else if list("block-list:") {
                "blocklist"
            } else {
                full.categories
                    .iter()
                    .find(|cs| {
                        oche::Category::from_id(cs.id)
                            .is_some_and(|k| c.profile().actions[k.index()].id() == full.action)
                    })
                    .or(full.categories.first())
                    .map_or("", |cs| cs.id)
            };
            assert_eq!(category, expected, "{age} {u}");
        }
    }
    assert!(classifier("6-10").url_action(":::").is_err());
}

/// A lesson or warning page that quotes scam and grooming lines is not
/// itself a scam or grooming: overlapping quoted signs do not stack up
/// against its protective context. The same lines sent as a message are.
#[test]
fn teaching_about_scams_and_grooming_is_not_flagged_but_the_messages_are() {
    let c = classifier("6-10");
    for lesson in [
        "Cảnh giác với lời mời \"việc nhẹ lương cao\" hay \"nhận kim cương miễn phí, chỉ cần nhập mật khẩu\": đó là thủ đoạn lừa đảo. Ngân hàng không bao giờ yêu cầu cung cấp mã OTP.",
        "Nếu ai đó trên mạng dặn con \"đừng kể với bố mẹ nhé\" hay đòi con gửi ảnh, đó là dấu hiệu nguy hiểm. Con hãy kể ngay cho bố mẹ hoặc thầy cô, hoặc gọi 111.",
    ] {
        assert_eq!(action(&c, lesson), "allow", "{lesson}");
        assert!(c.classify_page(&[lesson]).blocks[0].alerts.is_empty(), "{lesson}");
    }
    for message in [
        "Nhận kim cương miễn phí tại link này, chỉ cần nhập tài khoản và mật khẩu",
        "em ơi đừng kể với bố mẹ nhé, chuyện này chỉ hai đứa mình biết thôi",
    ] {
        assert!(
            !c.classify_page(&[message]).blocks[0].alerts.is_empty(),
            "{message}"
        );
    }
}
