"""Names for the demo guests: Chinese family names and given-name characters with their pinyin,
and Latin-script names of the other cultures a Chinese or a London hotel sees, with the mix of
guests each demo organization gets. Used by `guests.demo_rows`."""

from dataclasses import dataclass

# Family names by rough frequency in mainland China (weights per 10,000), with passport pinyin.
_CHINESE_FAMILY = """
王 Wang 710 李 Li 700 张 Zhang 670 刘 Liu 540 陈 Chen 450 杨 Yang 310 黄 Huang 220 赵 Zhao 210
吴 Wu 200 周 Zhou 190 徐 Xu 130 孙 Sun 120 马 Ma 110 朱 Zhu 110 胡 Hu 100 郭 Guo 100 何 He 90
高 Gao 90 林 Lin 90 罗 Luo 80 郑 Zheng 80 梁 Liang 70 谢 Xie 60 宋 Song 50 唐 Tang 50 许 Xu 50
韩 Han 50 冯 Feng 40 邓 Deng 40 曹 Cao 40 彭 Peng 40 曾 Zeng 40 肖 Xiao 40 田 Tian 30 董 Dong 30
袁 Yuan 30 潘 Pan 30 于 Yu 30 蒋 Jiang 30 蔡 Cai 30 余 Yu 30 杜 Du 30 叶 Ye 30 程 Cheng 30
苏 Su 30 魏 Wei 30 吕 Lyu 20 丁 Ding 20 任 Ren 20 沈 Shen 20 姚 Yao 20 卢 Lu 20 姜 Jiang 20
崔 Cui 20 钟 Zhong 20 谭 Tan 20 陆 Lu 20 汪 Wang 20 范 Fan 20 金 Jin 20 石 Shi 20 廖 Liao 20
贾 Jia 20 夏 Xia 20 韦 Wei 20 付 Fu 20 方 Fang 20 白 Bai 20 邹 Zou 20 孟 Meng 20 熊 Xiong 20
秦 Qin 20 邱 Qiu 20 江 Jiang 20 尹 Yin 20 薛 Xue 20 闫 Yan 20 段 Duan 20 雷 Lei 20 侯 Hou 20
龙 Long 20 史 Shi 20 陶 Tao 20 黎 Li 20 贺 He 20 顾 Gu 20 毛 Mao 20 郝 Hao 20 龚 Gong 20
邵 Shao 20 万 Wan 20 钱 Qian 20 严 Yan 20 武 Wu 20 戴 Dai 20 莫 Mo 10 孔 Kong 10 向 Xiang 10
汤 Tang 10 欧阳 Ouyang 5 司马 Sima 2 诸葛 Zhuge 1 上官 Shangguan 1
"""
# Characters of given names: m = mostly boys' names, f = mostly girls', n = either.
_CHINESE_GIVEN = """
伟 Wei m 强 Qiang m 磊 Lei m 军 Jun m 勇 Yong m 杰 Jie m 涛 Tao m 斌 Bin m 超 Chao m 明 Ming m
刚 Gang m 辉 Hui m 鹏 Peng m 飞 Fei m 鑫 Xin m 波 Bo m 浩 Hao m 凯 Kai m 健 Jian m 俊 Jun m
帆 Fan m 旭 Xu m 龙 Long m 建 Jian m 国 Guo m 志 Zhi m 博 Bo m 轩 Xuan m 泽 Ze m 睿 Rui m
航 Hang m 海 Hai m 成 Cheng m 东 Dong m 峰 Feng m 亮 Liang m 豪 Hao m 毅 Yi m 昊 Hao m 天 Tian m
芳 Fang f 娜 Na f 敏 Min f 静 Jing f 丽 Li f 艳 Yan f 娟 Juan f 霞 Xia f 秀 Xiu f 玲 Ling f
英 Ying f 慧 Hui f 婷 Ting f 雪 Xue f 琳 Lin f 晶 Jing f 颖 Ying f 倩 Qian f 洁 Jie f 怡 Yi f
梦 Meng f 雅 Ya f 蕾 Lei f 萍 Ping f 红 Hong f 燕 Yan f 梅 Mei f 兰 Lan f 月 Yue f 诗 Shi f
涵 Han f 琪 Qi f 悦 Yue f 美 Mei f 玉 Yu f 婉 Wan f 璐 Lu f 瑶 Yao f 薇 Wei f 欢 Huan f
文 Wen n 晨 Chen n 子 Zi n 宇 Yu n 嘉 Jia n 思 Si n 一 Yi n 欣 Xin n 佳 Jia n 晓 Xiao n
小 Xiao n 宁 Ning n 阳 Yang n 林 Lin n 华 Hua n 平 Ping n 安 An n 然 Ran n 乐 Le n 可 Ke n
"""


def _parse_chinese_family(text):
    tokens = text.split()
    return [(tokens[i], tokens[i + 1], int(tokens[i + 2])) for i in range(0, len(tokens), 3)]


def _parse_chinese_given(text):
    tokens = text.split()
    chars = {"m": [], "f": []}
    for i in range(0, len(tokens), 3):
        hanzi, pinyin, kind = tokens[i : i + 3]
        for gender in ("m", "f") if kind == "n" else (kind,):
            chars[gender].append((hanzi, pinyin))
    return chars


CHINESE_FAMILY_NAMES = _parse_chinese_family(_CHINESE_FAMILY)
CHINESE_GIVEN_CHARACTERS = _parse_chinese_given(_CHINESE_GIVEN)


@dataclass(frozen=True)
class Culture:
    """Names in Latin script, as on a passport, and where such guests come from."""

    language: str
    nationalities: tuple  # (ISO 3166 code, weight)
    male: tuple
    female: tuple
    family: tuple
    feminine_family_suffix: str = ""  # Russian family names take -a for women


def _names(text):
    return tuple(text.split(","))


INTERNATIONAL_CULTURES = {
    "english": Culture(
        "en",
        (("GB", 40), ("US", 30), ("AU", 12), ("CA", 10), ("NZ", 4), ("IE", 4)),
        _names(
            "James,John,Robert,Michael,William,David,Richard,Thomas,Daniel,Matthew,Oliver,Harry,George,Jack,Samuel,Benjamin,Christopher,Andrew,Edward,Henry"
        ),
        _names(
            "Mary,Elizabeth,Sarah,Emma,Olivia,Charlotte,Sophie,Emily,Jessica,Hannah,Grace,Lucy,Amelia,Chloe,Rebecca,Laura,Rachel,Catherine,Alice,Victoria"
        ),
        _names(
            "Smith,Johnson,Williams,Brown,Jones,Taylor,Davies,Wilson,Evans,Thomas,Roberts,Walker,Wright,Robinson,Thompson,White,Hughes,Edwards,Green,Hall,Wood,Harris,Martin,Clarke,Jackson,Turner,Hill,Moore,Cooper,O'Brien,Murphy,Anderson,Miller,Campbell"
        ),
    ),
    "japanese": Culture(
        "ja",
        (("JP", 1),),
        _names("Hiroshi,Takashi,Kenji,Daisuke,Yuki,Haruto,Sota,Ren,Takumi,Kazuki,Shota,Naoki"),
        _names("Yui,Aoi,Sakura,Yuna,Haruka,Misaki,Ayaka,Yoko,Keiko,Emi,Nanami,Mei"),
        _names(
            "Sato,Suzuki,Takahashi,Tanaka,Watanabe,Ito,Yamamoto,Nakamura,Kobayashi,Kato,Yoshida,Yamada,Sasaki,Yamaguchi,Matsumoto,Inoue,Kimura,Hayashi,Shimizu,Saito"
        ),
    ),
    "korean": Culture(
        "ko",
        (("KR", 1),),
        _names("Min-jun,Seo-jun,Ji-hoon,Hyun-woo,Jun-ho,Dong-hyun,Sung-min,Jae-won"),
        _names("Seo-yeon,Ji-woo,Min-seo,Ha-eun,Soo-jin,Ji-hye,Eun-ji,Yu-na"),
        _names("Kim,Lee,Park,Choi,Jung,Kang,Cho,Yoon,Jang,Lim,Han,Oh,Seo,Shin,Kwon"),
    ),
    "german": Culture(
        "de",
        (("DE", 75), ("AT", 15), ("CH", 10)),
        _names("Lukas,Maximilian,Jonas,Felix,Leon,Paul,Stefan,Thomas,Jürgen,Klaus,Matthias,Tobias"),
        _names("Anna,Lena,Sophie,Marie,Katharina,Julia,Laura,Sabine,Ursula,Jana,Leonie,Hannah"),
        _names(
            "Müller,Schmidt,Schneider,Fischer,Weber,Meyer,Wagner,Becker,Schulz,Hoffmann,Schäfer,Koch,Bauer,Richter,Klein,Wolf,Schröder,Neumann,Schwarz,Zimmermann,Krüger,Hartmann,Lange,Weiß"
        ),
    ),
    "french": Culture(
        "fr",
        (("FR", 80), ("BE", 10), ("CH", 5), ("CA", 5)),
        _names("Jean,Pierre,Louis,Gabriel,Lucas,Hugo,Théo,Antoine,Nicolas,Julien,François,Mathieu"),
        _names("Camille,Léa,Chloé,Manon,Inès,Juliette,Élodie,Céline,Amélie,Sophie,Marion,Aurélie"),
        _names(
            "Martin,Bernard,Dubois,Thomas,Robert,Richard,Petit,Durand,Leroy,Moreau,Simon,Laurent,Lefèvre,Michel,Garcia,David,Bertrand,Roux,Vincent,Fournier,Girard,Bonnet,Rousseau,Lambert,Faure"
        ),
    ),
    "spanish": Culture(
        "es",
        (("ES", 60), ("MX", 25), ("AR", 15)),
        _names("Alejandro,Daniel,Pablo,Javier,Carlos,Sergio,Diego,Andrés,José,Manuel"),
        _names("Lucía,María,Paula,Sofía,Carmen,Elena,Marta,Isabel,Laura,Ana"),
        _names(
            "García,Fernández,González,Rodríguez,López,Martínez,Sánchez,Pérez,Gómez,Martín,Jiménez,Ruiz,Hernández,Díaz,Moreno,Álvarez"
        ),
    ),
    "italian": Culture(
        "it",
        (("IT", 1),),
        _names("Marco,Luca,Giuseppe,Francesco,Alessandro,Andrea,Matteo,Lorenzo,Giovanni,Davide"),
        _names("Giulia,Francesca,Chiara,Sara,Martina,Valentina,Alessia,Elena,Federica,Giorgia"),
        _names(
            "Rossi,Russo,Ferrari,Esposito,Bianchi,Romano,Colombo,Ricci,Marino,Greco,Bruno,Gallo,Conti,De Luca,Costa"
        ),
    ),
    "russian": Culture(
        "ru",
        (("RU", 1),),
        _names("Alexander,Dmitry,Sergey,Andrey,Alexey,Ivan,Mikhail,Nikolai"),
        _names("Anastasia,Elena,Olga,Natalia,Tatiana,Maria,Ekaterina,Irina"),
        _names(
            "Ivanov,Smirnov,Kuznetsov,Popov,Vasiliev,Petrov,Sokolov,Mikhailov,Novikov,Fedorov,Morozov,Volkov,Lebedev,Kozlov"
        ),
        feminine_family_suffix="a",
    ),
    "indian": Culture(
        "en",
        (("IN", 1),),
        _names("Rahul,Amit,Vikram,Arjun,Rohan,Sanjay,Anil,Karthik"),
        _names("Priya,Ananya,Deepika,Kavya,Neha,Pooja,Lakshmi,Meera"),
        _names("Sharma,Patel,Singh,Kumar,Gupta,Reddy,Iyer,Nair,Mehta,Shah"),
    ),
    "portuguese": Culture(
        "pt",
        (("BR", 70), ("PT", 30)),
        _names("João,Pedro,Lucas,Gabriel,Rafael,Thiago"),
        _names("Ana,Beatriz,Mariana,Larissa,Camila,Júlia"),
        _names("Silva,Santos,Oliveira,Souza,Pereira,Costa,Carvalho,Almeida,Ribeiro,Gonçalves"),
    ),
}

# Who stays where: the share of guests from each culture ("chinese" is the Hanzi + pinyin path).
GUEST_MIXES = {
    "china": {
        "chinese": 82,
        "english": 4,
        "japanese": 3,
        "korean": 3,
        "german": 2,
        "french": 1.5,
        "russian": 1.5,
        "indian": 1,
        "spanish": 0.5,
        "italian": 0.5,
        "portuguese": 0.5,
    },
    "international": {
        "chinese": 18,
        "english": 38,
        "french": 8,
        "german": 7,
        "spanish": 5,
        "italian": 5,
        "japanese": 5,
        "korean": 3,
        "indian": 5,
        "portuguese": 3,
        "russian": 3,
    },
}
# Chinese-named guests: mostly mainland passports, some from Singapore and Malaysia.
CHINESE_NATIONALITIES = (
    ("CN", "zh-hans", 92),
    ("SG", "zh-hans", 3),
    ("SG", "en", 1),
    ("MY", "zh-hans", 3),
    ("MY", "en", 1),
)
GENDERS = (("male", 48), ("female", 48), ("unknown", 3), ("other", 1))
